// These tests hold our code to TorchSharp's own torch.optim and torch.normal, the APIs MLAC0002 keeps out of src/.
#pragma warning disable MLAC0002
using MlacRelease.Tests.Shared;
using MlacRelease.Core.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Core.Tests.Numerics;

/// <summary>
/// Each held optimiser moves parameters exactly as TorchSharp's torch.optim of the same settings does, bit for bit, over
/// steps with a changing learning rate, weight decay, and a parameter that never gets a gradient: certification's
/// attacks and cached baselines must not move when they switch.
/// </summary>
public sealed class HeldOptimizerTests
{
    public static TheoryData<string> Kinds() => new() { "adam", "adam-wd", "adamw", "sgd-momentum", "sgd-nesterov", "sgd-plain", "adagrad", "adadelta" };

    private static (HeldOptimizer Held, optim.Optimizer Torch) Make(string kind, List<Parameter> held, List<Parameter> torchParameters) => kind switch
    {
        "adam" => (HeldOptimizer.Adam(held, 3e-3), optim.Adam(torchParameters, 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8)),
        "adam-wd" => (HeldOptimizer.Adam(held, 3e-3, weightDecay: 0.05), optim.Adam(torchParameters, 3e-3, weight_decay: 0.05)),
        "adamw" => (HeldOptimizer.AdamW(held, 3e-3, weightDecay: 0.01), optim.AdamW(torchParameters, 3e-3, weight_decay: 0.01)),
        "sgd-momentum" => (HeldOptimizer.Sgd(held, 0.1, momentum: 0.9, weightDecay: 0.01), optim.SGD(torchParameters, 0.1, momentum: 0.9, weight_decay: 0.01)),
        "sgd-nesterov" => (HeldOptimizer.Sgd(held, 0.1, momentum: 0.9, nesterov: true), optim.SGD(torchParameters, 0.1, momentum: 0.9, nesterov: true)),
        "sgd-plain" => (HeldOptimizer.Sgd(held, 0.1), optim.SGD(torchParameters, 0.1)),
        "adagrad" => (HeldOptimizer.Adagrad(held, 0.05, weightDecay: 0.01), optim.Adagrad(torchParameters, 0.05, weight_decay: 0.01)),
        "adadelta" => (HeldOptimizer.Adadelta(held, 1.0, weightDecay: 0.01), optim.Adadelta(torchParameters, 1.0, weight_decay: 0.01)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static List<Parameter> Parameters(ScalarType dtype) =>
    [
        new(randn([4, 3], dtype: dtype, generator: new Generator(7, CPU))),
        new(randn([5], dtype: dtype, generator: new Generator(8, CPU))),
        new(randn([2], dtype: dtype, generator: new Generator(9, CPU))),   // never in the loss: its gradient stays null
    ];

    // A loss whose gradient differs per step (the step index shifts it) and reaches the first two parameters only.
    private static Tensor Loss(List<Parameter> p, int step) =>
        (p[0].sin() * p[0]).sum().Times(1.0 + step) + p[1].Pow(2).sum().Minus((double)step) + (p[0].sum() * p[1].sum()).Times(0.1);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_held_optimiser_moves_parameters_as_torch_optim_does_bit_for_bit(string kind)
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            var (held, reference) = (Parameters(dtype), Parameters(dtype));
            var (heldOptimizer, torchOptimizer) = Make(kind, held, reference);
            using (heldOptimizer)
            using (torchOptimizer)
            {
                for (var step = 0; step < 6; step++)
                {
                    var lr = (step + 1) * (kind.StartsWith("sgd", StringComparison.Ordinal) ? 0.02 : 1e-3);
                    heldOptimizer.ZeroGrad();
                    torchOptimizer.zero_grad();
                    Loss(held, step).backward();
                    Loss(reference, step).backward();
                    heldOptimizer.LearningRate = lr;
                    foreach (var group in torchOptimizer.ParamGroups) group.LearningRate = lr;
                    heldOptimizer.Step();
                    NoCollection.Run(() => torchOptimizer.step());
                }
            }
            for (var i = 0; i < held.Count; i++)
                held[i].eq(reference[i]).all().BoolValue().Should().BeTrue($"{kind}, {dtype}, parameter {i}");
            held[0].eq(Parameters(dtype)[0]).all().BoolValue().Should().BeFalse("the parameters must have moved for the comparison to mean anything");
            held[2].eq(Parameters(dtype)[2]).all().BoolValue().Should().BeTrue("a parameter without a gradient is left alone");
        }
    }
}
