using MlacRelease.Certification.Data;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// LoRA as a trainable module for torch.optim: the shared <see cref="LoraAdapter"/> math (PEFT's initialisation,
/// W + (α / r) · B · A) with A and B held as parameters, one pair per targeted projection of every layer. The base
/// tensors are the target's own, read and never written.
/// </summary>
internal sealed class LoraEncoder : IAttackEncoder
{
    private readonly IReadOnlyDictionary<string, Tensor> _base;
    private readonly List<(string Name, Parameter A, Parameter B)> _adapters = [];
    private readonly List<Parameter> _parameters = [];

    public LoraEncoder(TargetEncoder target, LoraSettings settings, ulong seed)
        : this(target.Config, target.Tensors, settings, seed)
    {
    }

    public LoraEncoder(EncoderConfig config, IReadOnlyDictionary<string, Tensor> baseTensors, LoraSettings settings, ulong seed)
    {
        _base = baseTensors;
        Scale = LoraAdapter.Scaling(settings.Alpha, settings.Rank);
        var modules = settings.Targets.Distinct().OrderBy(t => t).Select(t => t.Module());
        var targets = LoraTargetModules.WeightNames(config.NumHiddenLayers, modules);
        foreach (var initial in LoraAdapters.Initial(baseTensors, targets, settings.Rank, seed))
        {
            var a = new Parameter(initial.LoraA, requires_grad: true);
            var b = new Parameter(initial.LoraB, requires_grad: true);
            _adapters.Add((initial.Target, a, b));
            _parameters.Add(a);
            _parameters.Add(b);
        }
    }

    /// <summary>α / r.</summary>
    public double Scale { get; }

    public IReadOnlyList<Parameter> Trainable => _parameters;

    public IReadOnlyList<(string Name, Parameter A, Parameter B)> Adapters => _adapters;

    public IReadOnlyDictionary<string, Tensor> Map() =>
        LoraAdapters.Apply(_base, _adapters.Select(x => new LoraAdapter(x.Name, x.A, x.B)), Scale);

    public void Dispose()
    {
        foreach (var p in _parameters) p.Dispose();
        _parameters.Clear();
        _adapters.Clear();
    }
}
