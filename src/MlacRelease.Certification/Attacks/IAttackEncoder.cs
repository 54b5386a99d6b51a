using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>An encoder an attack trains: the tensors the optimiser updates, and the parameter map a forward pass reads.</summary>
internal interface IAttackEncoder : IDisposable
{
    IReadOnlyList<Parameter> Trainable { get; }

    /// <summary>The map for <c>BertEncoder.Forward</c>; built per step where it is a function of the trainables (LoRA).</summary>
    IReadOnlyDictionary<string, Tensor> Map();
}
