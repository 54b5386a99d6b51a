using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// A copy of the trainable tensors at the attacker's best tuning score. Restoring it at the end and scoring the test
/// split once costs one copy per improvement, where scoring the (large) test split at every improvement would cost
/// a full evaluation each time; the numbers are identical, since the forward pass is a function of the tensors.
/// </summary>
internal sealed class ParameterSnapshot : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly List<Tensor> _copies;

    public ParameterSnapshot(IReadOnlyList<Parameter> parameters)
    {
        _parameters = parameters;
        using var noGrad = no_grad();
        _copies = parameters.Select(p =>
        {
            var copy = p.detach().clone();
            copy.DetachFromDisposeScope();
            return copy;
        }).ToList();
    }

    public void Restore()
    {
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Count; i++) _parameters[i].copy_(_copies[i]);
    }

    public void Dispose()
    {
        foreach (var copy in _copies) copy.Dispose();
        _copies.Clear();
    }
}
