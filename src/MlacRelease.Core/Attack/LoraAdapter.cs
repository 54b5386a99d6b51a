using MlacRelease.Core.Numerics;
using static TorchSharp.torch;

namespace MlacRelease.Core.Attack;

/// <summary>
/// One LoRA adapter (Hu et al. 2021) on the weight W [out, in] named <paramref name="Target"/>: <c>lora_A</c> [r, in]
/// and <c>lora_B</c> [out, r], read as W + scaling · lora_B · lora_A with scaling = lora_alpha / r, as PEFT's LoraLayer
/// does. Functional over tensors: the certifier passes its optimiser's leaves, the trainer the graph-tracked fast
/// weights of an inner step (it differentiates through <see cref="Merge"/> to second order), so neither owns the math.
/// </summary>
public sealed record LoraAdapter(string Target, Tensor LoraA, Tensor LoraB)
{
    /// <summary>PEFT's default scaling, lora_alpha / r (rank is validated where adapters are drawn).</summary>
    public static double Scaling(double alpha, int rank) => alpha / rank;

    /// <summary>
    /// The adapter as PEFT initialises it: lora_A Kaiming-uniform with a = √5, i.e. uniform ±1/√in, drawn on the CPU
    /// from <paramref name="generator"/> (so the values do not depend on the device) in W's dtype; lora_B zero, so the
    /// adapted model starts as the base model exactly. Plain tensors on W's device, without gradients: the caller makes
    /// them leaves of its own kind.
    /// </summary>
    public static LoraAdapter Initial(string target, Tensor weight, int rank, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        if (weight.dim() != 2) throw new ArgumentException($"LoRA adapts a matrix; '{target}' is [{string.Join(", ", weight.shape)}]", nameof(weight));
        long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
        var bound = 1.0 / Math.Sqrt(inFeatures);
        var loraA = rand([rank, inFeatures], weight.dtype, generator: generator).Times(2 * bound).Minus(bound).to(weight.device);
        var loraB = zeros([outFeatures, rank], weight.dtype, weight.device);
        return new LoraAdapter(target, loraA, loraB);
    }

    /// <summary>W + scaling · B · A: the effective weight, in the graph of all three.</summary>
    public static Tensor Merge(Tensor weight, Tensor loraA, Tensor loraB, double scaling) => weight + loraB.matmul(loraA).Times(scaling);

    /// <summary>This adapter's effective weight on <paramref name="weight"/> (its target's base tensor).</summary>
    public Tensor Merge(Tensor weight, double scaling) => Merge(weight, LoraA, LoraB, scaling);
}
