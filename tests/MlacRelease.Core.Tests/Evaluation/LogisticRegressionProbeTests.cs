using MlacRelease.Core.Numerics;
using MlacRelease.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Tests.Evaluation;

public sealed class LogisticRegressionProbeTests
{
    /// <summary>The objective recomputed independently, with autograd, on the raw features through RawParameters.</summary>
    private static (double Loss, double GradientMax) AutogradObjective(LogisticRegressionModel model, Tensor x, Tensor y, double l2)
    {
        var w = tensor(model.Weight.ToArray(), [model.Classes, model.Features], ScalarType.Float64).requires_grad_(true);
        var b = tensor(model.Bias.ToArray(), ScalarType.Float64).requires_grad_(true);
        var mean = tensor(model.Mean.ToArray(), ScalarType.Float64);
        var scale = tensor(model.Scale.ToArray(), ScalarType.Float64);
        var z = matmul((x - mean) / scale, w.t()) + b;
        var loss = nn.functional.cross_entropy(z, y) + w.Pow(2).sum().Times(0.5 * l2);
        var grads = autograd.grad([loss], [w, b]);
        return (loss.item<double>(), Math.Max(grads[0].abs().max().item<double>(), grads[1].abs().max().item<double>()));
    }

    [Theory]
    [InlineData(ProbeSolver.Newton)]
    [InlineData(ProbeSolver.Lbfgs)]
    public void Fit_reaches_a_stationary_point_of_the_regularised_objective(ProbeSolver solver)
    {
        var (x, y) = ProbeData.Blobs(perClass: 40, classes: 3, features: 6, separation: 1.5, seed: 1, offset: 3, featureScale: 7);
        var options = new LogisticRegressionOptions { L2 = 1e-2, Solver = solver, GradientTolerance = 1e-9 };
        var model = LogisticRegressionProbe.Fit(x, y, 3, options);

        model.Report.Solver.Should().Be(solver);
        model.Report.Converged.Should().BeTrue();
        model.Report.GradientMaxNorm.Should().BeLessThanOrEqualTo(1e-9);
        var (loss, gradientMax) = AutogradObjective(model, x, y, options.L2);
        gradientMax.Should().BeLessThan(1e-8, "autograd, independent of the closed-form gradient, must agree it is a minimum");
        loss.Should().BeApproximately(model.Report.Loss, 1e-10);
        model.TrainingAccuracy.Should().BeGreaterThan(0.6, "three classes: chance is 1/3");
    }

    [Fact]
    public void Perturbing_the_solution_never_lowers_the_objective()
    {
        var (x, y) = ProbeData.Blobs(perClass: 30, classes: 2, features: 4, separation: 1.0, seed: 2);
        var options = new LogisticRegressionOptions { L2 = 1e-3 };
        var model = LogisticRegressionProbe.Fit(x, y, 2, options);
        var (best, _) = AutogradObjective(model, x, y, options.L2);
        var random = new Random(5);
        for (var trial = 0; trial < 20; trial++)
        {
            var weight = model.Weight.Select(w => w + 1e-3 * (random.NextDouble() - 0.5)).ToArray();
            var perturbed = Rebuild(model, weight);
            AutogradObjective(perturbed, x, y, options.L2).Loss.Should().BeGreaterThan(best);
        }
    }

    private static LogisticRegressionModel Rebuild(LogisticRegressionModel model, double[] weight) =>
        (LogisticRegressionModel)typeof(LogisticRegressionModel).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)[0]
            .Invoke([model.Classes, model.Features, weight, model.Bias.ToArray(), model.Mean.ToArray(), model.Scale.ToArray(), model.Report, double.NaN]);

    [Fact]
    public void Newton_and_LBFGS_find_the_same_model()
    {
        var (x, y) = ProbeData.Blobs(perClass: 25, classes: 4, features: 8, separation: 1.2, seed: 3);
        var newton = LogisticRegressionProbe.Fit(x, y, 4, new() { Solver = ProbeSolver.Newton, L2 = 1e-2, GradientTolerance = 1e-10 });
        var lbfgs = LogisticRegressionProbe.Fit(x, y, 4, new() { Solver = ProbeSolver.Lbfgs, L2 = 1e-2, GradientTolerance = 1e-10 });
        lbfgs.Report.Converged.Should().BeTrue(lbfgs.Report.ToString());
        (newton.PredictProbabilities(x) - lbfgs.PredictProbabilities(x)).abs().max().item<double>().Should().BeLessThan(1e-7);
        newton.Report.Loss.Should().BeApproximately(lbfgs.Report.Loss, 1e-12);
        newton.Report.Iterations.Should().BeLessThan(lbfgs.Report.Iterations, "Newton converges quadratically");
    }

    [Fact]
    public void Separable_data_still_has_a_finite_converged_optimum()
    {
        var (x, y) = ProbeData.Blobs(perClass: 20, classes: 2, features: 3, separation: 20, seed: 4);
        var model = LogisticRegressionProbe.Fit(x, y, 2, new() { L2 = 1e-4 });
        model.Report.Converged.Should().BeTrue();
        model.TrainingAccuracy.Should().Be(1.0);
        model.Weight.Should().OnlyContain(w => double.IsFinite(w));
    }

    [Fact]
    public void Auto_switches_to_LBFGS_for_many_classes_and_features_and_converges()
    {
        var (x, y) = ProbeData.Blobs(perClass: 6, classes: 28, features: 96, separation: 3, seed: 6);
        var model = LogisticRegressionProbe.Fit(x, y, 28, new() { L2 = 1e-2, GradientTolerance = 1e-7 });
        model.Report.Solver.Should().Be(ProbeSolver.Lbfgs);
        model.Report.Converged.Should().BeTrue();
        AutogradObjective(model, x, y, 1e-2).GradientMax.Should().BeLessThan(1e-6);
        model.TrainingAccuracy.Should().Be(1.0);
    }

    [Fact]
    public void Fitting_is_deterministic()
    {
        var (x, y) = ProbeData.Blobs(perClass: 30, classes: 3, features: 10, separation: 1, seed: 7);
        var a = LogisticRegressionProbe.Fit(x, y, 3, new() { Solver = ProbeSolver.Lbfgs });
        var b = LogisticRegressionProbe.Fit(x.clone(), y.clone(), 3, new() { Solver = ProbeSolver.Lbfgs });
        a.Weight.Should().Equal(b.Weight);
        a.Bias.Should().Equal(b.Bias);
        a.Report.Should().Be(b.Report);
    }

    [Fact]
    public void Probabilities_predictions_and_raw_parameters_are_consistent()
    {
        var (x, y) = ProbeData.Blobs(perClass: 30, classes: 3, features: 5, separation: 2, seed: 8, offset: -4, featureScale: 0.1);
        var model = LogisticRegressionProbe.Fit(x, y, 3);
        var p = model.PredictProbabilities(x);
        p.sum(1).Minus(1).abs().max().item<double>().Should().BeLessThan(1e-12);
        model.Predict(x).eq(p.argmax(1)).all().item<bool>().Should().BeTrue();
        model.Accuracy(x, y).Should().Be(model.TrainingAccuracy);
        model.Bias.Sum().Should().BeApproximately(0, 1e-12);

        var (rawW, rawB) = model.RawParameters();
        var rawLogits = matmul(x, tensor(rawW, [3, 5], ScalarType.Float64).t()) + tensor(rawB, ScalarType.Float64);
        (rawLogits - model.Logits(x)).abs().max().item<double>().Should().BeLessThan(1e-9);
    }

    [Fact]
    public void Float32_features_and_a_constant_feature_are_handled()
    {
        var (x, y) = ProbeData.Blobs(perClass: 20, classes: 2, features: 4, separation: 2, seed: 9);
        var withConstant = cat([x, HeldScalars.Full([x.shape[0], 1], 5.0, ScalarType.Float64)], 1).to(ScalarType.Float32);
        var model = LogisticRegressionProbe.Fit(withConstant, y, 2);
        model.Scale[4].Should().Be(1.0);
        model.Weight[4].Should().Be(0.0, "a feature that is zero after centring gets no gradient and no weight");
        model.Report.Converged.Should().BeTrue();
    }

    [Fact]
    public void Invalid_inputs_are_rejected_before_any_native_call()
    {
        var (x, y) = ProbeData.Blobs(perClass: 5, classes: 2, features: 3, separation: 1, seed: 10);
        var act = () => LogisticRegressionProbe.Fit(x, y, 1);
        act.Should().Throw<ArgumentOutOfRangeException>();
        act = () => LogisticRegressionProbe.Fit(x, y.Plus(5), 2);
        act.Should().Throw<ArgumentException>().WithMessage("*labels must lie in [0, 1]*");
        var withNan = x.clone();
        withNan[0, 0] = tensor(double.NaN);
        act = () => LogisticRegressionProbe.Fit(withNan, y, 2);
        act.Should().Throw<ArgumentException>().WithMessage("*NaN*");
        act = () => LogisticRegressionProbe.Fit(x, y.narrow(0, 0, 3), 2);
        act.Should().Throw<ArgumentException>();
        act = () => LogisticRegressionProbe.Fit(x, y, 2, new() { L2 = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
