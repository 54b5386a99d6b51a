using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Inference;

/// <summary>
/// A release folder (a Hugging Face ONNX model: onnx/model.onnx, config.json, tokenizer.json, tokenizer_config.json,
/// special_tokens_map.json, README.md, plus manifest.json, manifest.sig, …) read once and verified: the manifest's
/// signature against a trusted public key, then every listed file against the manifest. Everything served comes from
/// those verified bytes, never from the disk again. The tokenizer is built from the same tokenizer.json that Hugging
/// Face consumers read, and the files beside it must agree with it. An unsigned folder is served only through the
/// explicit <see cref="ReleaseTrust.Unsigned"/>.
/// </summary>
public sealed class ReleaseFolder
{
    private ReleaseFolder(ReleaseSnapshot snapshot, ReleaseTrust trust, HuggingFaceTokenizerJson tokenizer, ReleaseModelConfig config)
    {
        Snapshot = snapshot;
        Trust = trust;
        Tokenizer = tokenizer;
        Config = config;
    }

    public ReleaseSnapshot Snapshot { get; }

    public ReleaseTrust Trust { get; }

    public string Path => Snapshot.Folder;

    public ReleaseManifest Manifest => Snapshot.Manifest;

    /// <summary>tokenizer.json as read (vocabulary and settings).</summary>
    public HuggingFaceTokenizerJson Tokenizer { get; }

    /// <summary>What config.json says that a Hugging Face consumer acts on (the class names of a head).</summary>
    public ReleaseModelConfig Config { get; }

    /// <summary>True when the manifest's signature was verified with a trusted key (false only for an explicit unsigned opt-in).</summary>
    public bool Signed => Trust.RequiresSignature;

    /// <summary>Opens a folder signed by the key at <paramref name="publicKeyPath"/>.</summary>
    public static ReleaseFolder Open(string path, string publicKeyPath) => Open(path, ReleaseTrust.SignedBy(publicKeyPath));

    public static ReleaseFolder Open(string path, ReleaseTrust trust)
    {
        var snapshot = ReleaseSnapshot.Open(path, trust);
        // Each file is signed and intact here; what is left to refuse is a folder whose files disagree, which a Hugging
        // Face consumer and this toolkit would read differently.
        T Read<T>(string name, Func<byte[], string, T> read)
        {
            try
            {
                return read(snapshot.Bytes(name), snapshot.Path(name));
            }
            catch (Exception e) when (e is MlacInputException or InvalidDataException)
            {
                throw new ReleaseIntegrityException($"release folder {snapshot.Folder}: {e.Message}; refusing it", snapshot.Folder, name);
            }
        }
        var tokenizer = Read(ReleaseFileNames.Tokenizer, (bytes, source) => HuggingFaceTokenizerJson.Parse(bytes, source));
        Read(ReleaseFileNames.TokenizerConfig, (bytes, source) => HuggingFaceTokenizerConfig.CheckTokenizerConfig(tokenizer, bytes, source));
        Read(ReleaseFileNames.SpecialTokensMap, (bytes, source) => HuggingFaceTokenizerConfig.CheckSpecialTokensMap(tokenizer, bytes, source));
        var config = Read(ReleaseFileNames.Config, (bytes, source) => ReleaseModelConfig.Parse(bytes, source));
        return new ReleaseFolder(snapshot, trust, tokenizer, config);
    }

    /// <summary>onnx/model.onnx as verified, with its external data (only a listed onnx/model.onnx.data) inlined, ready for ONNX Runtime.</summary>
    public byte[] ModelBytes() => Snapshot.InlinedModel();

    public BertTextTokenizer CreateTokenizer() => BertTextTokenizer.FromTokenizerJson(Tokenizer, Snapshot.Path(ReleaseFileNames.Tokenizer));
}
