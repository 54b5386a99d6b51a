using TorchSharp;
using static TorchSharp.torch;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Model;

/// <summary>
/// A configuration and the full set of encoder parameters, keyed by Hugging Face name. It owns its tensors.
/// </summary>
public sealed class EncoderWeights : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    public EncoderWeights(EncoderConfig config, IDictionary<string, Tensor> tensors, string source = "weights")
    {
        Config = config.Validate(source);
        _tensors = new Dictionary<string, Tensor>(tensors, StringComparer.Ordinal);
        CheckComplete(source);
    }

    public EncoderConfig Config { get; }

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    public Tensor this[string name] => _tensors[name];

    public Device Device => _tensors[BertParameterNames.WordEmbeddings].device;

    public ScalarType DType => _tensors[BertParameterNames.WordEmbeddings].dtype;

    public long ParameterCount => _tensors.Values.Sum(t => t.numel());

    /// <summary>Hugging Face's initialisation: normal(0, initializer_range) for linear and embedding weights (the
    /// padding row zeroed), zero biases, LayerNorm weight 1 and bias 0. Deterministic by seed on every device.</summary>
    public static EncoderWeights RandomInit(EncoderConfig config, long seed, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        config.Validate();
        var generator = new Generator((ulong)seed, CPU);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (name, shape) in BertParameterNames.All(config))
            {
                Tensor t;
                if (name.Contains("LayerNorm.weight", StringComparison.Ordinal)) t = ones(shape, dtype);
                else if (name.EndsWith(".bias", StringComparison.Ordinal)) t = zeros(shape, dtype);
                else t = NormalInit.Draw(0.0, config.InitializerRange, shape, dtype, generator);
                if (name == BertParameterNames.WordEmbeddings) t[config.PadTokenId].zero_();
                tensors[name] = device is null ? t : MoveTo(t, device, dtype);
            }
        }
        return new EncoderWeights(config, tensors, "random init");
    }

    /// <summary>A deep copy on another device or dtype; gradients are not carried over.</summary>
    public EncoderWeights To(Device device, ScalarType? dtype = null)
    {
        // The detached views and a dtype or device change's intermediate copy die here, not at the finalizer; the
        // copies go to the caller's dispose scope, if any, as they would have been created there.
        using var scope = torch.NewDisposeScope();
        var copies = _tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(dtype ?? kv.Value.dtype, device).clone().MoveToOuterDisposeScope());
        return new EncoderWeights(Config, copies);
    }

    public EncoderWeights Clone() => To(Device);

    /// <summary>The first <paramref name="layers"/> layers only (the built-in MiniLM cut down for CPU runs).</summary>
    public EncoderWeights TruncateLayers(int layers)
    {
        if (layers < 0 || layers > Config.NumHiddenLayers)
            throw new ArgumentOutOfRangeException(nameof(layers), $"expected 0..{Config.NumHiddenLayers}, got {layers}");
        var config = Config with { NumHiddenLayers = layers };
        var keep = BertParameterNames.All(config).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var copies = _tensors.Where(kv => keep.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        return new EncoderWeights(config, copies);
    }

    /// <summary>Sets requires_grad on every tensor (they must be leaves).</summary>
    public EncoderWeights RequireGrad(bool requires = true)
    {
        foreach (var t in _tensors.Values) t.requires_grad_(requires);
        return this;
    }

    public EncoderOutput Forward(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null) =>
        BertEncoder.Forward(Config, _tensors, inputIds, attentionMask, tokenTypeIds);

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }

    private static Tensor MoveTo(Tensor t, Device device, ScalarType dtype)
    {
        var moved = t.to(dtype, device);
        if (!ReferenceEquals(moved, t)) t.Dispose();
        return moved;
    }

    private void CheckComplete(string source)
    {
        var expected = BertParameterNames.All(Config);
        var missing = expected.Where(e => !_tensors.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        if (missing.Count > 0)
            throw new MlacInputException($"{source}: missing {missing.Count} parameter(s): {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", …" : "")}");
        var expectedNames = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var extra = _tensors.Keys.Where(k => !expectedNames.Contains(k)).ToList();
        if (extra.Count > 0)
            throw new MlacInputException($"{source}: unexpected parameter(s) for this configuration: {string.Join(", ", extra.Take(8))}");
        ScalarType? dtype = null;
        foreach (var (name, shape) in expected)
        {
            var t = _tensors[name];
            if (!t.shape.SequenceEqual(shape))
                throw new MlacInputException($"{source}: tensor '{name}': expected shape [{string.Join(", ", shape)}], got [{string.Join(", ", t.shape)}]");
            if (!t.is_floating_point())
                throw new MlacInputException($"{source}: tensor '{name}': expected a floating-point dtype, got {t.dtype}");
            dtype ??= t.dtype;
            if (t.dtype != dtype)
                throw new MlacInputException($"{source}: tensor '{name}': dtype {t.dtype} differs from the other parameters' {dtype}");
        }
    }
}
