using MlacRelease.Common.Release;
using MlacRelease.Common.Text;

namespace MlacRelease.Inference;

/// <summary>
/// A release folder (model.onnx, vocab.txt, tokenizer.json, manifest.json, manifest.sig, …) read once and verified:
/// the manifest's signature against a trusted public key, then every listed file against the manifest. Everything
/// served comes from those verified bytes, never from the disk again. An unsigned folder is served only through the
/// explicit <see cref="ReleaseTrust.Unsigned"/>.
/// </summary>
public sealed class ReleaseFolder
{
    private ReleaseFolder(ReleaseSnapshot snapshot, ReleaseTrust trust, TokenizerFile tokenizer)
    {
        Snapshot = snapshot;
        Trust = trust;
        Tokenizer = tokenizer;
    }

    public ReleaseSnapshot Snapshot { get; }

    public ReleaseTrust Trust { get; }

    public string Path => Snapshot.Folder;

    public ReleaseManifest Manifest => Snapshot.Manifest;

    public TokenizerFile Tokenizer { get; }

    /// <summary>True when the manifest's signature was verified with a trusted key (false only for an explicit unsigned opt-in).</summary>
    public bool Signed => Trust.RequiresSignature;

    /// <summary>Opens a folder signed by the key at <paramref name="publicKeyPath"/>.</summary>
    public static ReleaseFolder Open(string path, string publicKeyPath) => Open(path, ReleaseTrust.SignedBy(publicKeyPath));

    public static ReleaseFolder Open(string path, ReleaseTrust trust)
    {
        var snapshot = ReleaseSnapshot.Open(path, trust);
        var tokenizerName = ReleaseFileNames.Tokenizer;
        var tokenizer = TokenizerFile.Parse(Text(snapshot, tokenizerName), snapshot.Path(tokenizerName));
        if (!snapshot.Has(tokenizer.Vocabulary))
            throw new ReleaseIntegrityException($"release folder {snapshot.Folder}: {tokenizerName} names vocabulary '{tokenizer.Vocabulary}', which {ReleaseFileNames.Manifest} does not list", snapshot.Folder, tokenizer.Vocabulary);
        return new ReleaseFolder(snapshot, trust, tokenizer);
    }

    /// <summary>model.onnx as verified, with its external data (only a listed model.onnx.data) inlined, ready for ONNX Runtime.</summary>
    public byte[] ModelBytes() => Snapshot.InlinedModel();

    public BertTextTokenizer CreateTokenizer()
    {
        var tokenizer = new BertTextTokenizer(Text(Snapshot, Tokenizer.Vocabulary), Tokenizer.Settings);
        Tokenizer.CheckMatches(tokenizer, Snapshot.Path(ReleaseFileNames.Tokenizer));
        return tokenizer;
    }

    private static string Text(ReleaseSnapshot snapshot, string name) => System.Text.Encoding.UTF8.GetString(snapshot.Bytes(name));
}
