using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Core.Numerics;

/// <summary>
/// torch.optim's Adam, AdamW, SGD (momentum, Nesterov), Adagrad and Adadelta, step for step as TorchSharp 0.107
/// computes them, with every number that reaches libtorch held as a Scalar until the call returns (MLAC0001).
/// </summary>
/// <remarks>
/// TorchSharp's own <c>step()</c> passes β, ε, the learning rate and the weight decay as Scalars that only a finalizer
/// frees, thousands of times per attack: the race <see cref="HeldScalars"/> closes in our code, inside the library.
/// The operations, their order and each Scalar's type are TorchSharp's (src/TorchSharp/Optimizers/*.cs: state starts at
/// zero, SGD's momentum buffer at the first gradient, maximize and amsgrad off), so parameters come out bit-identical
/// (HeldOptimizerTests). A parameter whose gradient is null is skipped; one whose gradient was zeroed is not, as there.
/// </remarks>
public sealed class HeldOptimizer : IDisposable
{
    private enum Rule { Adam, AdamW, Sgd, Adagrad, Adadelta }

    private readonly Rule _rule;
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly double _weightDecay, _beta1, _beta2, _epsilon, _momentum, _rho;
    private readonly bool _nesterov;
    private readonly Tensor?[] _first, _second;
    private readonly long[] _steps;

    private HeldOptimizer(Rule rule, IEnumerable<Parameter> parameters, double learningRate, double weightDecay,
        double beta1 = 0, double beta2 = 0, double epsilon = 0, double momentum = 0, bool nesterov = false, double rho = 0)
    {
        _rule = rule;
        _parameters = parameters.ToList();
        LearningRate = learningRate;
        (_weightDecay, _beta1, _beta2, _epsilon, _momentum, _nesterov, _rho) = (weightDecay, beta1, beta2, epsilon, momentum, nesterov, rho);
        _first = new Tensor?[_parameters.Count];
        _second = new Tensor?[_parameters.Count];
        _steps = new long[_parameters.Count];
    }

    /// <summary>The learning rate the next <see cref="Step"/> uses (a schedule sets it before each step).</summary>
    public double LearningRate { get; set; }

    public static HeldOptimizer Adam(IEnumerable<Parameter> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0) =>
        new(Rule.Adam, parameters, lr, weightDecay, beta1, beta2, eps);

    public static HeldOptimizer AdamW(IEnumerable<Parameter> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01) =>
        new(Rule.AdamW, parameters, lr, weightDecay, beta1, beta2, eps);

    public static HeldOptimizer Sgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double weightDecay = 0, bool nesterov = false) =>
        new(Rule.Sgd, parameters, lr, weightDecay, momentum: momentum, nesterov: nesterov);

    public static HeldOptimizer Adagrad(IEnumerable<Parameter> parameters, double lr = 1e-2, double weightDecay = 0, double eps = 1e-10) =>
        new(Rule.Adagrad, parameters, lr, weightDecay, epsilon: eps);

    public static HeldOptimizer Adadelta(IEnumerable<Parameter> parameters, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0) =>
        new(Rule.Adadelta, parameters, lr, weightDecay, epsilon: eps, rho: rho);

    /// <summary>Zeroes every gradient that exists (TorchSharp's zero_grad: gradients are zeroed, not dropped).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            using var grad = p.grad;
            _ = grad?.zero_();
        }
    }

    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (var i = 0; i < _parameters.Count; i++)
        {
            var parameter = _parameters[i];
            var grad = parameter.grad;
            if (grad is null) continue;
            switch (_rule)
            {
                case Rule.Adam: AdamStep(i, parameter, grad, decoupled: false); break;
                case Rule.AdamW: AdamStep(i, parameter, grad, decoupled: true); break;
                case Rule.Sgd: SgdStep(i, parameter, grad); break;
                case Rule.Adagrad: AdagradStep(i, parameter, grad); break;
                case Rule.Adadelta: AdadeltaStep(i, parameter, grad); break;
            }
        }
    }

    private Tensor State(Tensor?[] slot, int i, Tensor parameter) => slot[i] ??= zeros_like(parameter).DetachFromDisposeScope();

    // L2 weight decay folded into the gradient (Adam, SGD, Adagrad, Adadelta): grad + wd · p.
    private Tensor WithWeightDecay(Tensor grad, Tensor parameter)
    {
        if (_weightDecay == 0) return grad;
        using var decay = _weightDecay.ToScalar();
        return grad.add(parameter, alpha: decay);
    }

    private void AdamStep(int i, Parameter parameter, Tensor grad, bool decoupled)
    {
        var (m, v) = (State(_first, i, parameter), State(_second, i, parameter));
        var step = ++_steps[i];
        if (decoupled)
        {
            using var keep = (1 - LearningRate * _weightDecay).ToScalar();
            parameter.mul_(keep);
        }
        else
        {
            grad = WithWeightDecay(grad, parameter);
        }
        var correction1 = 1 - Math.Pow(_beta1, step);
        var correction2 = 1 - Math.Pow(_beta2, step);
        using var beta1 = _beta1.ToScalar();
        using var firstWeight = (1 - _beta1).ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var secondWeight = (1 - _beta2).ToScalar();
        using var epsilon = _epsilon.ToScalar();
        using var stepSize = (-(LearningRate / correction1)).ToScalar();
        m.mul_(beta1).add_(grad, alpha: firstWeight);
        v.mul_(beta2).addcmul_(grad, grad, value: secondWeight);
        var denominator = v.sqrt().Over(Math.Sqrt(correction2)).add_(epsilon);
        parameter.addcdiv_(m, denominator, value: stepSize);
    }

    private void SgdStep(int i, Parameter parameter, Tensor grad)
    {
        grad = WithWeightDecay(grad, parameter);
        if (_momentum != 0)
        {
            using var momentum = _momentum.ToScalar();
            if (_first[i] is not { } buffer)
            {
                buffer = grad.clone().detach().DetachFromDisposeScope();
                _first[i] = buffer;
            }
            else
            {
                using var undamped = 1.0.ToScalar();   // 1 − dampening, with dampening 0
                buffer.mul_(momentum).add_(grad, alpha: undamped);
            }
            grad = _nesterov ? grad.add(buffer, alpha: momentum) : buffer;
        }
        using var rate = (-LearningRate).ToScalar();
        parameter.add_(grad, alpha: rate);
    }

    private void AdagradStep(int i, Parameter parameter, Tensor grad)
    {
        var sum = State(_first, i, parameter);
        grad = WithWeightDecay(grad, parameter);
        // TorchSharp's clr = lr / (1 + (step − 1)·lr_decay) is lr exactly at the lr_decay of 0 every caller uses.
        var rate = LearningRate;
        using var one = 1L.ToScalar();
        using var epsilon = _epsilon.ToScalar();
        using var stepSize = (-rate).ToScalar();
        sum.addcmul_(grad, grad, value: one);
        var std = sum.sqrt().add_(epsilon);
        parameter.addcdiv_(grad, std, value: stepSize);
    }

    private void AdadeltaStep(int i, Parameter parameter, Tensor grad)
    {
        var (squareAverage, accumulatedDelta) = (State(_first, i, parameter), State(_second, i, parameter));
        grad = _weightDecay != 0 ? WithWeightDecay(grad, parameter) : grad.alias();
        using var rho = _rho.ToScalar();
        using var weight = (1 - _rho).ToScalar();
        using var epsilon = _epsilon.ToScalar();
        using var rate = (-LearningRate).ToScalar();
        squareAverage.mul_(rho).addcmul_(grad, grad, weight);
        var std = squareAverage.add(epsilon).sqrt_();
        var delta = accumulatedDelta.add(epsilon).sqrt_().div_(std).mul_(grad);
        parameter.add_(delta, alpha: rate);
        accumulatedDelta.mul_(rho).addcmul_(delta, delta, weight);
    }

    public void Dispose()
    {
        foreach (var t in _first.Concat(_second)) t?.Dispose();
    }
}
