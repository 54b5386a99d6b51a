using MlacRelease.Core.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Core.Evaluation;

/// <summary>
/// Mean multinomial cross-entropy of a linear softmax model plus L2/2 · ‖W‖², with its exact gradient and Hessian in
/// closed form (no autograd: the probe runs under no_grad and the formulas are cheaper). Parameters are one flat
/// float64 vector θ = [W row-major (classes × features), b (classes)], held on the host; the sums over examples run on
/// the features' device.
/// </summary>
/// <remarks>
/// The evaluation loop passes its scalars as fields and ends with GC.KeepAlive(this). TorchSharp 0.107 turns a C#
/// number into a native Scalar that only its finalizer frees and does not keep alive across the native call that uses
/// it; a background garbage collection during that call frees it under libtorch ("INTERNAL ASSERT FAILED at
/// Scalar.h"). This loop allocates enough (one gradient array per evaluation) to make that frequent; scalars held in
/// fields of a live object cannot be collected.
/// </remarks>
internal sealed class SoftmaxRegressionObjective
{
    private readonly Tensor _x;        // [N, d]
    private readonly Tensor _y;        // [N, K] one-hot
    private readonly long _n, _d, _k;
    private readonly double _l2;
    private readonly Scalar _one = 1.0.ToScalar();
    private readonly Scalar _minusOne = (-1.0).ToScalar();
    private readonly Scalar _l2Scalar;
    private readonly Scalar _inverseN;

    public SoftmaxRegressionObjective(Tensor features, Tensor labels, int classes, double l2)
    {
        _x = features;
        _n = features.shape[0];
        _d = features.shape[1];
        _k = classes;
        _l2 = l2;
        _y = nn.functional.one_hot(labels, classes).to(ScalarType.Float64);
        _l2Scalar = l2.ToScalar();
        _inverseN = (1.0 / _n).ToScalar();
    }

    public long ParameterCount => _k * (_d + 1);

    public int ParameterLength => checked((int)ParameterCount);

    public Tensor ToDevice(double[] theta) => torch.tensor(theta, ScalarType.Float64, _x.device);

    public (Tensor Weight, Tensor Bias) Split(Tensor theta) =>
        (theta.narrow(0, 0, _k * _d).view(_k, _d), theta.narrow(0, _k * _d, _k));

    public Tensor Logits(Tensor theta)
    {
        var (w, b) = Split(theta);
        return torch.mm(_x, w.t()).add(b.unsqueeze(0), _one);
    }

    /// <summary>The objective and its gradient at θ.</summary>
    public (double Loss, double[] Gradient) Evaluate(double[] parameters)
    {
        using var scope = NewDisposeScope();
        var theta = ToDevice(parameters);
        var (w, _) = Split(theta);
        var logits = Logits(theta);
        var logProbabilities = nn.functional.log_softmax(logits, 1);
        // Sums come back to the host and are combined there, so no step needs a Scalar argument.
        var crossEntropy = logProbabilities.mul(_y).sum().item<double>();
        var squaredNorm = w.mul(w).sum().item<double>();
        var loss = -crossEntropy / _n + 0.5 * _l2 * squaredNorm;
        var residual = logProbabilities.exp().add(_y, _minusOne).mul(_inverseN);                 // [N, K]
        var gradW = torch.mm(residual.t(), _x).add(w, _l2Scalar);                           // [K, d]
        var gradB = residual.sum([0L]);                                                       // [K]
        var gradient = torch.cat([gradW.reshape(-1), gradB]).cpu();
        var result = (loss, gradient.data<double>().ToArray());
        GC.KeepAlive(this);
        return result;
    }

    /// <summary>
    /// The exact Hessian: block (k, l) is X̃ᵀ diag(p_k (δ_kl − p_l)) X̃ / N for X̃ = [X, 1], plus L2 on the weight
    /// diagonal. Laid out to match θ's order (all weights first, then all biases).
    /// </summary>
    private Tensor Hessian(Tensor theta)
    {
        var p = torch.softmax(Logits(theta), 1);                                // [N, K]
        var xt = torch.cat([_x, torch.ones(_n, 1, dtype: _x.dtype, device: _x.device)], 1);   // [N, d+1]
        var blocks = new Tensor[_k, _k];
        for (var k = 0; k < _k; k++)
        {
            for (var l = k; l < _k; l++)
            {
                var weight = p.select(1, k) * p.select(1, l).SubtractedFrom(k == l ? 1.0 : 0.0);   // [N]
                var block = torch.mm(xt.t(), xt * weight.unsqueeze(1)).Over(_n);           // [d+1, d+1]
                blocks[k, l] = block;
                blocks[l, k] = block;
            }
        }
        // [K, d+1, K, d+1] in (class, feature-or-bias) order, then permuted to θ's order: weights (k, i) then biases k.
        var full = torch.stack(Enumerable.Range(0, (int)_k).Select(k =>
            torch.stack(Enumerable.Range(0, (int)_k).Select(l => blocks[k, l]).ToArray(), 1)).ToArray(), 0);
        var order = new long[_k * (_d + 1)];
        var index = 0;
        for (long k = 0; k < _k; k++) for (long i = 0; i < _d; i++) order[index++] = k * (_d + 1) + i;
        for (long k = 0; k < _k; k++) order[index++] = k * (_d + 1) + _d;
        var orderTensor = torch.tensor(order, device: _x.device);
        var flat = full.reshape(_k * (_d + 1), _k * (_d + 1)).index_select(0, orderTensor).index_select(1, orderTensor);
        var diagonal = torch.cat([HeldScalars.Full([_k * _d], _l2, ScalarType.Float64, _x.device), torch.zeros(_k, ScalarType.Float64, _x.device)]);
        return flat + torch.diag(diagonal);
    }

    /// <summary>The Newton direction −H⁻¹g. The unpenalised biases leave H singular along "add the same constant to
    /// every class's bias" (softmax ignores it); the gradient has no component there, so a tiny ridge makes the system
    /// solvable without changing the step elsewhere.</summary>
    public double[] NewtonDirection(double[] parameters, double[] gradient)
    {
        using var scope = NewDisposeScope();
        var hessian = Hessian(ToDevice(parameters));
        var ridge = 1e-10 * Math.Max(1.0, hessian.diagonal().abs().max().item<double>());
        hessian = hessian + torch.eye(hessian.shape[0], dtype: ScalarType.Float64, device: hessian.device).Times(ridge);
        var step = torch.linalg.solve(hessian, -ToDevice(gradient));
        return step.cpu().data<double>().ToArray();
    }
}
