using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;

namespace MlacRelease.Inference;

/// <summary>
/// A release folder (model.onnx, vocab.txt, tokenizer.json, manifest.json, …) whose files have been checked against
/// the manifest's SHA-256 digests and sizes. A folder that is incomplete or was changed after release is refused
/// with the name of the file; skipping the check takes an explicit <c>verifyDigests: false</c>.
/// </summary>
public sealed class ReleaseFolder
{
    private ReleaseFolder(string path, ReleaseManifest? manifest, TokenizerFile tokenizer, bool verified)
    {
        Path = path;
        Manifest = manifest;
        Tokenizer = tokenizer;
        Verified = verified;
    }

    public string Path { get; }

    /// <summary>Null only when opened with verification off and no manifest present.</summary>
    public ReleaseManifest? Manifest { get; }

    public TokenizerFile Tokenizer { get; }

    /// <summary>True when every listed file matched its digest at open time (and reads re-check the bytes they return).</summary>
    public bool Verified { get; }

    public string ModelPath => File(ReleaseFileNames.Model);

    public string VocabularyPath => File(Tokenizer.Vocabulary);

    /// <summary>The certificate shipped with the release, when it has one.</summary>
    public string? CertificatePath => System.IO.File.Exists(File(ReleaseFileNames.Certificate)) ? File(ReleaseFileNames.Certificate) : null;

    /// <summary>Whether the model keeps its tensors in an external data file, which ONNX Runtime must read by path.
    /// In a verified folder only the manifest decides: a data file dropped in later does not change how the model loads.</summary>
    public bool HasExternalData => Verified
        ? Manifest!.Find(ReleaseFileNames.ModelExternalData) is not null
        : System.IO.File.Exists(File(ReleaseFileNames.ModelExternalData));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Opens a folder. With <paramref name="verifyDigests"/> (the default) the manifest must exist, list the
    /// required files, and every listed file must be present with its recorded size and SHA-256.</summary>
    public static ReleaseFolder Open(string path, bool verifyDigests = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var folder = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{path}: no such release folder");
        var manifestPath = System.IO.Path.Combine(folder, ReleaseFileNames.Manifest);
        ReleaseManifest? manifest = null;
        if (System.IO.File.Exists(manifestPath))
        {
            manifest = ParseManifest(folder, manifestPath);
        }
        else if (verifyDigests)
        {
            throw Refuse(folder, ReleaseFileNames.Manifest,
                $"{ReleaseFileNames.Manifest} is missing, so nothing in the folder can be verified (an incomplete or hand-assembled release); refusing to load it");
        }

        if (verifyDigests)
        {
            foreach (var required in ReleaseFileNames.Required)
            {
                if (manifest!.Find(required) is null)
                    throw Refuse(folder, required, $"{required} is not listed in {ReleaseFileNames.Manifest}; refusing a release that does not pin it");
            }
            foreach (var entry in manifest!.Files) Verify(folder, entry, FileDigest.Sha256);
        }
        else
        {
            foreach (var required in ReleaseFileNames.Required)
            {
                if (!System.IO.File.Exists(System.IO.Path.Combine(folder, required)))
                    throw Refuse(folder, required, $"{required} is missing");
            }
        }

        var tokenizerFile = TokenizerFile.Parse(
            ReadChecked(folder, manifest, ReleaseFileNames.Tokenizer, verifyDigests, 1 << 20),
            System.IO.Path.Combine(folder, ReleaseFileNames.Tokenizer));
        return new ReleaseFolder(folder, manifest, tokenizerFile, verifyDigests);
    }

    /// <summary>The file's bytes, re-checked against the manifest when the folder was verified, so what is used is
    /// exactly what was verified (a file swapped after <see cref="Open"/> is refused too).</summary>
    public byte[] ReadVerifiedBytes(string name, long maxBytes = int.MaxValue)
    {
        var path = File(name);
        if (!System.IO.File.Exists(path)) throw Refuse(Path, name, $"{name} is missing");
        var length = new FileInfo(path).Length;
        if (length > maxBytes) throw Refuse(Path, name, $"{name} is {length:N0} bytes, more than the {maxBytes:N0} accepted");
        var bytes = System.IO.File.ReadAllBytes(path);
        if (Verified)
        {
            var entry = Manifest!.Find(name) ?? throw Refuse(Path, name, $"{name} is not listed in {ReleaseFileNames.Manifest}");
            using var stream = new MemoryStream(bytes, writable: false);
            Check(Path, entry, bytes.LongLength, FileDigest.Sha256(stream));
        }
        return bytes;
    }

    public BertTextTokenizer CreateTokenizer()
    {
        var vocabulary = System.Text.Encoding.UTF8.GetString(ReadVerifiedBytes(Tokenizer.Vocabulary, 64 << 20));
        var tokenizer = new BertTextTokenizer(vocabulary, Tokenizer.Settings);
        Tokenizer.CheckMatches(tokenizer, File(ReleaseFileNames.Tokenizer));
        return tokenizer;
    }

    private static string ReadChecked(string folder, ReleaseManifest? manifest, string name, bool verify, long maxBytes)
    {
        var path = System.IO.Path.Combine(folder, name);
        if (!System.IO.File.Exists(path)) throw Refuse(folder, name, $"{name} is missing");
        if (new FileInfo(path).Length > maxBytes) throw Refuse(folder, name, $"{name} is larger than {maxBytes:N0} bytes");
        var bytes = System.IO.File.ReadAllBytes(path);
        if (verify)
        {
            using var stream = new MemoryStream(bytes, writable: false);
            Check(folder, manifest!.Find(name)!, bytes.LongLength, FileDigest.Sha256(stream));
        }
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    private static ReleaseManifest ParseManifest(string folder, string manifestPath)
    {
        if (new FileInfo(manifestPath).Length > 1 << 20) throw Refuse(folder, ReleaseFileNames.Manifest, $"{ReleaseFileNames.Manifest} is larger than 1 MiB");
        try
        {
            return ReleaseManifest.Parse(System.IO.File.ReadAllText(manifestPath), manifestPath);
        }
        catch (InvalidDataException e)
        {
            throw new ReleaseIntegrityException(e.Message, folder, ReleaseFileNames.Manifest);
        }
    }

    private static void Verify(string folder, ReleaseManifestEntry entry, Func<string, string> digest)
    {
        var path = System.IO.Path.Combine(folder, entry.Path);
        if (!System.IO.File.Exists(path))
            throw Refuse(folder, entry.Path, $"{entry.Path} is listed in {ReleaseFileNames.Manifest} but missing: the release is incomplete");
        var length = new FileInfo(path).Length;
        if (length != entry.Size) Check(folder, entry, length, "(not computed)");
        Check(folder, entry, length, digest(path));
    }

    private static void Check(string folder, ReleaseManifestEntry entry, long size, string sha256)
    {
        if (size != entry.Size)
            throw Refuse(folder, entry.Path, $"{entry.Path} is {size:N0} bytes but {ReleaseFileNames.Manifest} records {entry.Size:N0}: the file was changed after release; refusing to load");
        if (!string.Equals(sha256, entry.Sha256, StringComparison.Ordinal))
            throw Refuse(folder, entry.Path, $"{entry.Path} does not match its SHA-256 in {ReleaseFileNames.Manifest} (expected {entry.Sha256}, found {sha256}): the file was changed after release; refusing to load");
    }

    private static ReleaseIntegrityException Refuse(string folder, string? file, string what) =>
        new($"release folder {folder}: {what}. (Opening without verification needs an explicit verifyDigests: false.)", folder, file);
}
