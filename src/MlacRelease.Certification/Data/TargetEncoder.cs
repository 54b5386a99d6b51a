using MlacRelease.Core.Model;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Data;

/// <summary>
/// An encoder under attack, restricted to the certification's compact vocabulary (see <see cref="CompactVocabulary"/>)
/// and held on the run's device. Read-only: attacks clone what they train, so many attacks can share one instance
/// from several threads.
/// </summary>
public sealed class TargetEncoder : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    private TargetEncoder(TargetRole role, string weightDigest, EncoderConfig config, Dictionary<string, Tensor> tensors)
    {
        Role = role;
        WeightDigest = weightDigest;
        Config = config;
        _tensors = tensors;
    }

    public TargetRole Role { get; }

    /// <summary>Digest of the full (uncompacted) weights this target was made from.</summary>
    public string WeightDigest { get; }

    /// <summary>The encoder's configuration with vocab_size and pad_token_id of the compact vocabulary.</summary>
    public EncoderConfig Config { get; }

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    public Device Device => _tensors[BertParameterNames.WordEmbeddings].device;

    public static TargetEncoder Create(TargetRole role, EncoderWeights weights, string weightDigest, CompactVocabulary vocabulary, Device device)
    {
        using var noGrad = no_grad();
        var rows = tensor(vocabulary.OriginalIds.Select(i => (long)i).ToArray(), device: weights.Device);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in weights.Tensors)
        {
            var source = name == BertParameterNames.WordEmbeddings ? t.index_select(0, rows) : t.detach().clone();
            tensors[name] = source.to(ScalarType.Float32, device).contiguous();
            if (!ReferenceEquals(tensors[name], source)) source.Dispose();
        }
        rows.Dispose();
        var config = weights.Config with { VocabSize = vocabulary.Count, PadTokenId = vocabulary.PadId };
        return new TargetEncoder(role, weightDigest, config, tensors);
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
