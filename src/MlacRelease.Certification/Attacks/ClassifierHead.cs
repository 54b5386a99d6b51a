using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// A fresh, bias-free linear head on the pooled output (the paper's head), initialised as Hugging Face initialises
/// classifier layers: normal(0, initializer_range), from the run's own generator.
/// </summary>
internal static class ClassifierHead
{
    public static Parameter Create(int classes, int hidden, double initializerRange, ulong seed, Device device)
    {
        var generator = new Generator(seed, CPU);
        using var weight = normal(0, initializerRange, [classes, hidden], ScalarType.Float32, generator: generator);
        return new Parameter(weight.to(device).clone(), requires_grad: true);
    }
}
