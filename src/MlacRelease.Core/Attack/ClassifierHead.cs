using MlacRelease.Core.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Core.Attack;

/// <summary>
/// The paper's classification head: a bias-free linear layer W [classes, hidden] on the encoder's pooled output. The
/// certifier's attacks, the trainer's simulated attacker and the defender's desired-task head are all this head, so
/// how it is initialised and read lives in one place.
/// </summary>
public static class ClassifierHead
{
    /// <summary>Hugging Face's initialisation of classifier layers, normal(0, initializer_range), drawn on the CPU from
    /// <paramref name="generator"/> (device-independent values), on <paramref name="device"/>.</summary>
    public static Tensor Initial(int classes, int hidden, double initializerRange, Generator generator, ScalarType dtype, Device device) =>
        NormalInit.Draw(0, initializerRange, [classes, hidden], dtype, generator).to(device);

    /// <summary>A fresh trainable float32 head from its own generator seeded with <paramref name="seed"/>, as an attack starts with.</summary>
    public static Parameter Create(int classes, int hidden, double initializerRange, ulong seed, Device device)
    {
        using var weight = Initial(classes, hidden, initializerRange, new Generator(seed, CPU), ScalarType.Float32, device);
        return new Parameter(weight.clone(), requires_grad: true);
    }

    /// <summary>Logits [N, classes] = pooled · Wᵀ.</summary>
    public static Tensor Logits(Tensor pooled, Tensor head) => pooled.matmul(head.t());

    /// <summary>The attacker's training loss: mean cross-entropy of the head's logits against <paramref name="labels"/>.</summary>
    public static Tensor CrossEntropy(Tensor pooled, Tensor head, Tensor labels) => nn.functional.cross_entropy(Logits(pooled, head), labels);
}
