using MlacRelease.Core.Model;

namespace MlacRelease.Certification.Certificates;

/// <summary>The certified encoder: the digest that binds the certificate to its weights, and its shape.</summary>
/// <param name="WeightDigest">Canonical weight digest (mlac.weights.v1: tensor bytes in name order).</param>
/// <param name="FileDigest">SHA-256 of the weights file as shipped, when certified from a file.</param>
public sealed record EncoderDescription(string WeightDigest, string? FileDigest, int Layers, int HiddenSize, int AttentionHeads,
    int IntermediateSize, int VocabSize, int MaxPositionEmbeddings)
{
    public static EncoderDescription Of(EncoderConfig config, string weightDigest, string? fileDigest) => new(weightDigest, fileDigest,
        config.NumHiddenLayers, config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize, config.VocabSize, config.MaxPositionEmbeddings);
}
