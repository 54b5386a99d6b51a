using MlacRelease.Certification.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>Full fine-tuning: a private copy of every encoder tensor, each a trainable leaf.</summary>
internal sealed class FineTunedEncoder : IAttackEncoder
{
    private readonly Dictionary<string, Tensor> _map;
    private readonly List<Parameter> _parameters;

    public FineTunedEncoder(TargetEncoder target)
    {
        _map = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        _parameters = [];
        // Name order, so the optimiser's parameter list (and thus its floating-point work) is the same every run.
        foreach (var (name, t) in target.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var p = new Parameter(t.detach().clone(), requires_grad: true);
            _map[name] = p;
            _parameters.Add(p);
        }
    }

    public IReadOnlyList<Parameter> Trainable => _trainable ?? _parameters;

    private List<Parameter>? _trainable;

    /// <summary>Freezes every tensor not in <paramref name="names"/>: it stops requiring gradients and leaves
    /// <see cref="Trainable"/>, so the optimiser never sees it.</summary>
    public void TrainOnly(IReadOnlyCollection<string> names)
    {
        var keep = names.ToHashSet(StringComparer.Ordinal);
        foreach (var (name, tensor) in _map)
        {
            if (!keep.Contains(name)) tensor.requires_grad_(false);
        }
        _trainable = _map.Where(kv => keep.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (Parameter)kv.Value).ToList();
    }

    /// <summary>The live tensors, for in-place re-initialisation before training starts.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _map;

    public IReadOnlyDictionary<string, Tensor> Map() => _map;

    public void Dispose()
    {
        foreach (var p in _parameters) p.Dispose();
        _parameters.Clear();
        _map.Clear();
    }
}
