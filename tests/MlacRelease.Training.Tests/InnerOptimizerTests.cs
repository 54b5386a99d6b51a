// These tests hold our code to TorchSharp's own torch.optim and torch.normal, the APIs MLAC0002 keeps out of src/.
#pragma warning disable MLAC0002
using MlacRelease.Tests.Shared;
using MlacRelease.Core.Numerics;
using MlacRelease.Training.Inner;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests;

/// <summary>The differentiable inner optimisers against TorchSharp's own torch.optim, an independent implementation.</summary>
public sealed class InnerOptimizerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Differentiable_Adam_follows_torch_optim_Adam_including_skipped_parameters(bool textbook) =>
        AssertFollowsTorch(InnerOptimizers.Create(InnerOptimizerKind.Adam, textbook), p => optim.Adam(p, 3e-3), 3e-3, seed: 5);

    /// <summary>AdamW (decoupled weight decay 0.01) and SGD with momentum 0.9, as the realistic attacker mix builds them,
    /// against torch.optim.AdamW and torch.optim.SGD.</summary>
    [Theory]
    [InlineData(InnerOptimizerKind.AdamW)]
    [InlineData(InnerOptimizerKind.SgdMomentum)]
    public void The_realistic_mix_optimizers_follow_torch_optim(InnerOptimizerKind kind)
    {
        const double lr = 2e-2;
        var ours = InnerOptimizers.Create(kind);
        AssertFollowsTorch(ours, p => kind == InnerOptimizerKind.AdamW
            ? optim.AdamW(p, lr, weight_decay: DifferentiableAdamW.DefaultWeightDecay)
            : optim.SGD(p, lr, momentum: DifferentiableSgd.BatteryMomentum), lr, seed: 11);
        ours.StateTensors.Should().NotBeEmpty("the optimiser reports the state a first-order rollout must keep");
    }

    /// <summary>Six steps against a torch.optim optimiser: gradients of very different scales, one exactly zero, and
    /// parameter 1 without a gradient at step 2 (a head-only step), which torch.optim neither decays nor steps.</summary>
    private static void AssertFollowsTorch(IInnerOptimizer ours, Func<TorchSharp.Modules.Parameter[], optim.Optimizer> createReference, double lr, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Random(seed);
        Tensor Random(params long[] shape) => tensor(Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => generator.NextDouble() * 2 - 1).ToArray(), ScalarType.Float64).reshape(shape);

        var start = new[] { Random(4, 3), Random(5) };
        var gradients = Enumerable.Range(0, 6).Select(step => new Tensor?[]
        {
            Random(4, 3).Times(Math.Pow(10, step % 3 - 1)),
            step == 2 ? null : step == 4 ? zeros(5, dtype: ScalarType.Float64) : Random(5).Times(1e-3),
        }).ToList();

        var torchParameters = start.Select(p => new TorchSharp.Modules.Parameter(p.clone())).ToArray();
        using var reference = createReference(torchParameters);
        IReadOnlyList<Tensor> current = start.Select(p => p.clone()).ToList();
        var learningRate = tensor(lr, ScalarType.Float64);
        foreach (var step in gradients)
        {
            reference.zero_grad();
            for (var i = 0; i < torchParameters.Length; i++) torchParameters[i].grad = step[i] is { } g ? g.clone() : null;
            NoCollection.Run(() => reference.step());
            current = ours.Step(current, step, learningRate);
            for (var i = 0; i < current.Count; i++)
            {
                var difference = (current[i] - torchParameters[i].detach()).abs().max().Value();
                difference.Should().BeLessThan(1e-14, $"parameter {i} after a step");
            }
        }
        (current[0] - start[0]).abs().max().Value().Should().BeGreaterThan(1e-3, "the parameters moved, so the comparison is not vacuous");
    }

    [Fact]
    public void Differentiable_SGD_with_momentum_follows_torch_optim_SGD()
    {
        using var scope = NewDisposeScope();
        const double lr = 0.1, momentum = 0.9;
        var start = tensor(new[] { 0.5, -1.0, 2.0 }, ScalarType.Float64);
        var gradients = new[] { new[] { 1.0, 0.5, -2.0 }, new[] { -0.3, 0.25, 1.0 }, new[] { 0.0, 4.0, -0.5 } };
        var parameter = new TorchSharp.Modules.Parameter(start.clone());
        using var sgd = optim.SGD([parameter], lr, momentum: momentum);
        IInnerOptimizer ours = new DifferentiableSgd(momentum);
        IReadOnlyList<Tensor> current = [start.clone()];
        foreach (var g in gradients)
        {
            sgd.zero_grad();
            parameter.grad = tensor(g, ScalarType.Float64);
            NoCollection.Run(() => sgd.step());
            current = ours.Step(current, [tensor(g, ScalarType.Float64)], tensor(lr, ScalarType.Float64));
            (current[0] - parameter.detach()).abs().max().Value().Should().BeLessThan(1e-15);
        }
    }

    [Fact]
    public void AdamW_decays_the_weights_apart_from_the_moments()
    {
        using var scope = NewDisposeScope();
        // A zero gradient: Adam does not move the parameter at all; AdamW still shrinks it by (1 − lr·λ).
        var p = tensor(new[] { 2.0, -4.0 }, ScalarType.Float64);
        var lr = tensor(0.1, ScalarType.Float64);
        var adam = InnerOptimizers.Create(InnerOptimizerKind.Adam).Step([p], [zeros_like(p)], lr)[0];
        var adamW = InnerOptimizers.Create(InnerOptimizerKind.AdamW).Step([p], [zeros_like(p)], lr)[0];
        (adam - p).abs().max().Value().Should().Be(0);
        (adamW - p.Times(1 - 0.1 * DifferentiableAdamW.DefaultWeightDecay)).abs().max().Value().Should().BeLessThan(1e-15);
    }
}
