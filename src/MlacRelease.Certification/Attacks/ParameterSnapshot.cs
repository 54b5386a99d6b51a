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

    public void Restore() => CopyTo(_parameters);

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
