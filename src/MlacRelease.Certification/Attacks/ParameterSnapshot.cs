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

    /// <param name="restorable">False for a copy that outlives the encoder it was taken from (<see cref="BenignPhaseCache"/>):
    /// it keeps no reference to those tensors, so only <see cref="CopyTo"/> works.</param>
    public ParameterSnapshot(IReadOnlyList<Parameter> parameters, bool restorable = true)
    {
        _parameters = restorable ? parameters : [];
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
        if (_parameters.Count == 0 && _copies.Count > 0) throw new InvalidOperationException("this snapshot was taken to be copied into another encoder, not restored");
        CopyTo(_parameters);
    }

    /// <summary>Writes the copies into <paramref name="parameters"/>: another encoder with the same tensors in the
    /// same order (a fresh <see cref="FineTunedEncoder"/> of the same target).</summary>
    public void CopyTo(IReadOnlyList<Parameter> parameters)
    {
        if (parameters.Count != _copies.Count)
            throw new ArgumentException($"the snapshot holds {_copies.Count} tensors, the encoder has {parameters.Count}", nameof(parameters));
        using var noGrad = no_grad();
        for (var i = 0; i < parameters.Count; i++) parameters[i].copy_(_copies[i]);
    }

    public void Dispose()
    {
        foreach (var copy in _copies) copy.Dispose();
        _copies.Clear();
    }
}
