using static TorchSharp.torch;

namespace MlacRelease.Training.Trainer;

/// <summary>Frozen-encoder features of a set of examples: the pooled output [N, H] and each layer's mean over real
/// tokens, layers 1..L, [N, H] each (empty when not asked for).</summary>
public sealed record EncoderFeatures(Tensor Pooled, IReadOnlyList<Tensor> LayerMeans);
