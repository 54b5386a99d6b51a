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
    public void Differentiable_Adam_follows_torch_optim_Adam_including_skipped_parameters(bool textbook)
    {
        using var scope = NewDisposeScope();
        const double lr = 3e-3;
        var generator = new Random(5);
        Tensor Random(params long[] shape) => tensor(Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => generator.NextDouble() * 2 - 1).ToArray(), ScalarType.Float64).reshape(shape);

        var start = new[] { Random(4, 3), Random(5) };
        // Gradients of very different scales, one exactly zero, and parameter 1 skipped at step 2 (a head-only step).
        var gradients = Enumerable.Range(0, 6).Select(step => new Tensor?[]
        {
            Random(4, 3) * Math.Pow(10, step % 3 - 1),
            step == 2 ? null : step == 4 ? zeros(5, dtype: ScalarType.Float64) : Random(5) * 1e-3,
        }).ToList();

        var torchParameters = start.Select(p => new TorchSharp.Modules.Parameter(p.clone())).ToArray();
        using var adam = optim.Adam(torchParameters, lr);

        var ours = InnerOptimizers.Create(InnerOptimizerKind.Adam, textbook);
        IReadOnlyList<Tensor> current = start.Select(p => p.clone()).ToList();
        var learningRate = tensor(lr, ScalarType.Float64);
        foreach (var step in gradients)
        {
            adam.zero_grad();
            for (var i = 0; i < torchParameters.Length; i++) torchParameters[i].grad = step[i] is { } g ? g.clone() : null;
            adam.step();
            current = ours.Step(current, step, learningRate);
            for (var i = 0; i < current.Count; i++)
            {
                var difference = (current[i] - torchParameters[i].detach()).abs().max().ToDouble();
                difference.Should().BeLessThan(1e-14, $"parameter {i} after a step");
            }
        }
        (current[0] - start[0]).abs().max().ToDouble().Should().BeGreaterThan(1e-3, "the parameters moved, so the comparison is not vacuous");
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
            sgd.step();
            current = ours.Step(current, [tensor(g, ScalarType.Float64)], tensor(lr, ScalarType.Float64));
            (current[0] - parameter.detach()).abs().max().ToDouble().Should().BeLessThan(1e-15);
        }
    }
}
