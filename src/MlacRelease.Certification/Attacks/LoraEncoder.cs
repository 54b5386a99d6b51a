using MlacRelease.Certification.Data;
using MlacRelease.Core.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// LoRA (Hu et al. 2021): for each targeted projection weight W [out, in] of every layer, trainable A [r, in] and
/// B [out, r], and the forward pass reads W + (α / r) · B · A. B starts at zero, so training starts from the encoder
/// exactly; A starts as PEFT initialises it (Kaiming-uniform with a = √5, i.e. uniform ±1/√in). The base tensors
/// are the target's own, read and never written.
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
        Scale = settings.Alpha / settings.Rank;
        var generator = new Generator(seed, CPU);
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            foreach (var target in settings.Targets.Distinct().OrderBy(t => t))
            {
                var name = BertParameterNames.Layer(layer, target.Module() + ".weight");
                var weight = baseTensors[name];
                long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
                var bound = 1.0 / Math.Sqrt(inFeatures);
                using var a0 = rand([settings.Rank, inFeatures], ScalarType.Float32, generator: generator) * (2 * bound) - bound;
                var a = new Parameter(a0.to(weight.device).clone(), requires_grad: true);
                var b = new Parameter(zeros([outFeatures, settings.Rank], ScalarType.Float32, weight.device), requires_grad: true);
                _adapters.Add((name, a, b));
                _parameters.Add(a);
                _parameters.Add(b);
            }
        }
    }

    /// <summary>α / r.</summary>
    public double Scale { get; }

    public IReadOnlyList<Parameter> Trainable => _parameters;

    public IReadOnlyList<(string Name, Parameter A, Parameter B)> Adapters => _adapters;

    public IReadOnlyDictionary<string, Tensor> Map()
    {
        var map = new Dictionary<string, Tensor>(_base, StringComparer.Ordinal);
        foreach (var (name, a, b) in _adapters) map[name] = _base[name] + Scale * matmul(b, a);
        return map;
    }

    public void Dispose()
    {
        foreach (var p in _parameters) p.Dispose();
        _parameters.Clear();
        _adapters.Clear();
    }
}
