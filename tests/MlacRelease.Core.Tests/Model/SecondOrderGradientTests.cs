using MlacRelease.Core.Numerics;
using MlacRelease.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Tests.Model;

/// <summary>
/// MLAC differentiates through an attacker's gradient steps, so the encoder needs correct second derivatives. The
/// check: f(θ) = L₂(θ − α∇L₁(θ)) (one inner SGD step, then an outer loss). Its autograd gradient (which contains
/// Hessian-vector products through every op: attention, softmax, GELU, LayerNorm, embeddings) must equal central
/// finite differences of f in float64.
/// </summary>
public sealed class SecondOrderGradientTests
{
    private const double InnerRate = 0.5;

    private static Tensor InnerLoss(EncoderConfig config, IReadOnlyDictionary<string, Tensor> p, Tensor ids, Tensor mask, Tensor types)
    {
        using var output = BertEncoder.Forward(config, p, ids, mask, types);
        // Uses both outputs so the pooler and every token position contribute.
        return output.PooledOutput.Pow(2).sum() + (output.LastHiddenState * mask.unsqueeze(-1).to(float64)).sin().sum();
    }

    private static Tensor OuterLoss(EncoderConfig config, IReadOnlyDictionary<string, Tensor> p, Tensor ids, Tensor mask, Tensor types)
    {
        using var output = BertEncoder.Forward(config, p, ids, mask, types);
        return (output.PooledOutput * torch.linspace(-1, 1, config.HiddenSize, dtype: float64)).sum()
               + output.LastHiddenState.select(1, 1).Pow(3).mean();
    }

    /// <summary>f(θ) with θ' = θ − α∇L₁(θ) kept in the graph (create_graph) so ∂f/∂θ includes the second-order terms.</summary>
    private static Tensor MetaObjective(EncoderConfig config, Dictionary<string, Tensor> theta, bool createGraph)
    {
        var (ids, mask, types) = TinyEncoder.Batch();
        var names = theta.Keys.ToList();
        var inner = InnerLoss(config, theta, ids, mask, types);
        var grads = torch.autograd.grad([inner], names.Select(n => theta[n]).ToList(), retain_graph: true, create_graph: createGraph);
        var fast = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++) fast[names[i]] = theta[names[i]] - grads[i].Times(InnerRate);
        return OuterLoss(config, fast, ids, mask, types);
    }

    [Fact]
    public void Meta_gradient_through_an_inner_step_matches_finite_differences()
    {
        var config = TinyEncoder.Config;
        using var weights = EncoderWeights.RandomInit(config with { InitializerRange = 0.5 }, seed: 7, dtype: ScalarType.Float64);
        var theta = weights.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().requires_grad_(true));

        var objective = MetaObjective(config, theta, createGraph: true);
        var names = theta.Keys.ToList();
        var analytic = torch.autograd.grad([objective], names.Select(n => theta[n]).ToList());

        // Every parameter tensor is probed at three coordinates, so each kind of op's second derivative is exercised.
        var generator = new Generator(11);
        var probes = 0;
        foreach (var (name, index) in names.Select((n, i) => (n, i)))
        {
            var flat = theta[name].numel();
            for (var k = 0; k < 3; k++)
            {
                var coordinate = torch.randint(0, flat, [1], generator: generator).item<long>();
                var numeric = CentralDifference(config, theta, name, coordinate, 1e-6);
                var exact = analytic[index].reshape(-1)[coordinate].item<double>();
                // Absolute floor for entries that are exactly zero (a key bias cannot change a softmax over keys).
                var error = Math.Abs(numeric - exact);
                error.Should().BeLessThan(1e-7 + 1e-5 * Math.Abs(exact), $"∂f/∂{name}[{coordinate}]: autograd {exact:G10}, finite difference {numeric:G10}");
                probes++;
            }
        }
        probes.Should().Be(names.Count * 3);
    }

    [Fact]
    public void Dropping_the_second_order_terms_changes_the_gradient()
    {
        // Guards the test above against a vacuous pass: if second-order terms were zero for this function, a
        // first-order implementation would pass too.
        var config = TinyEncoder.Config;
        using var weights = EncoderWeights.RandomInit(config with { InitializerRange = 0.5 }, seed: 7, dtype: ScalarType.Float64);
        var theta = weights.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().requires_grad_(true));
        var names = theta.Keys.ToList();
        var full = torch.autograd.grad([MetaObjective(config, theta, createGraph: true)], names.Select(n => theta[n]).ToList());
        var firstOrder = torch.autograd.grad([MetaObjective(config, theta, createGraph: false)], names.Select(n => theta[n]).ToList(), allow_unused: true);
        var difference = names.Select((n, i) => (full[i] - firstOrder[i]).abs().max().item<double>()).Max();
        difference.Should().BeGreaterThan(1e-3);
    }

    private static double CentralDifference(EncoderConfig config, Dictionary<string, Tensor> theta, string name, long coordinate, double h)
    {
        double Evaluate(double delta)
        {
            var shifted = theta.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().requires_grad_(true));
            using (torch.no_grad()) HeldScalars.With(delta, s => shifted[name].reshape(-1)[coordinate].add_(s));
            return MetaObjective(config, shifted, createGraph: false).item<double>();
        }
        return (Evaluate(h) - Evaluate(-h)) / (2 * h);
    }
}
