using System.Security.Cryptography;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Release;

/// <summary>
/// A release folder read once into memory and verified: manifest.sig over manifest.json's exact bytes (before those
/// bytes are parsed), then every file the manifest lists, each read once, hashed, and kept. Whoever uses a snapshot
/// (the gate's checks, ONNX Runtime, the tokenizer) gets exactly the bytes that were verified, so a file swapped on disk
/// after the check changes nothing. The folder may hold nothing else: an unlisted file, a sub-folder that holds no
/// listed file (or anything unlisted), a symbolic link or a listed file that is not a regular file is refused, because a loader could pick it up (ONNX external data, a
/// tokenizer beside the model) without the signature covering it.
/// </summary>
public sealed class ReleaseSnapshot
{
    /// <summary>manifest.json lists a few files; a megabyte is far more than it needs.</summary>
    public const int MaxManifestBytes = 1 << 20;

    private readonly IReadOnlyDictionary<string, byte[]> _files;

    private ReleaseSnapshot(string folder, ReleaseTrust trust, byte[] manifestBytes, ReleaseManifest manifest, string signature, IReadOnlyDictionary<string, byte[]> files)
    {
        Trust = trust;
        Folder = folder;
        ManifestBytes = manifestBytes;
        Manifest = manifest;
        Signature = signature;
        _files = files;
    }

    /// <summary>The folder's full path.</summary>
    public string Folder { get; }

    /// <summary>What the snapshot was verified against (a public key, or the explicit unsigned opt-in).</summary>
    public ReleaseTrust Trust { get; }

    public byte[] ManifestBytes { get; }

    public ReleaseManifest Manifest { get; }

    /// <summary>What the signature check found ("signature by key … is valid", or that it was skipped by opt-in).</summary>
    public string Signature { get; }

    public bool Has(string name) => _files.ContainsKey(name);

    /// <summary>The verified bytes of a listed file (shared: do not modify).</summary>
    public byte[] Bytes(string name) => _files.TryGetValue(name, out var bytes) ? bytes
        : throw Refuse(Folder, name, $"{name} is not listed in {ReleaseFileNames.Manifest}");

    public string Path(string name) => System.IO.Path.Combine(Folder, name);

    /// <summary>onnx/model.onnx as verified, with its external data (only a listed onnx/model.onnx.data) inlined, ready
    /// for ONNX Runtime and the importer; never a path, so nothing can make a loader open another file.</summary>
    public byte[] InlinedModel() => OnnxExternalDataInliner.InlinedBytes(
        Bytes(ReleaseFileNames.Model), ReleaseFileNames.ModelExternalDataLocation,
        Has(ReleaseFileNames.ModelExternalData) ? Bytes(ReleaseFileNames.ModelExternalData) : null,
        Path(ReleaseFileNames.Model));

    /// <summary>Reads and verifies <paramref name="folder"/>. Throws <see cref="ReleaseIntegrityException"/> naming the
    /// file at fault; <see cref="ReleaseIntegrityException.IsSignatureFailure"/> tells a bad signature from a bad file.</summary>
    /// <param name="required">Files the manifest must list (default: <see cref="ReleaseFileNames.Required"/>).</param>
    public static ReleaseSnapshot Open(string folder, ReleaseTrust trust, IReadOnlyList<string>? required = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(trust);
        var full = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"{folder}: no such release folder");

        var manifestBytes = ReadEntire(full, ReleaseFileNames.Manifest, MaxManifestBytes)
            ?? throw Refuse(full, ReleaseFileNames.Manifest, $"{ReleaseFileNames.Manifest} is missing, so nothing in the folder can be verified");
        var signatureBytes = ReadEntire(full, ReleaseFileNames.ManifestSignature, ManifestSignature.MaxFileBytes);
        using var key = trust.LoadKey();
        var signaturePath = System.IO.Path.Combine(full, ReleaseFileNames.ManifestSignature);
        var (valid, reason) = key is null ? (true, "signature not checked (unsigned release accepted by explicit opt-in)")
            : signatureBytes is null ? (false, $"{signaturePath}: missing; the release is not signed")
            : ManifestSignature.Verify(manifestBytes, signatureBytes, key, signaturePath);
        if (!valid) throw new ReleaseIntegrityException($"release folder {full}: {reason}", full, ReleaseFileNames.ManifestSignature) { IsSignatureFailure = true };

        ReleaseManifest manifest;
        try
        {
            manifest = ReleaseManifest.Parse(DecodeUtf8(manifestBytes, full), System.IO.Path.Combine(full, ReleaseFileNames.Manifest));
        }
        catch (Exception e) when (e is MlacInputException or InvalidDataException)
        {
            throw new ReleaseIntegrityException(e.Message, full, ReleaseFileNames.Manifest);
        }
        foreach (var name in required ?? ReleaseFileNames.Required)
        {
            if (manifest.Find(name) is null)
                throw Refuse(full, name, $"{name} is not listed in {ReleaseFileNames.Manifest}; refusing a release that does not pin it");
        }
        RefuseUnlisted(full, manifest);

        // model.sig (OpenSSF model signing) is optional; when present and a key is trusted, it must verify too.
        var bundle = signatureBytes is null ? null : ReadEntire(full, ModelSigningBundle.DefaultFileName, ModelSigningBundle.MaxBundleBytes);
        if (bundle is not null && key is not null)
        {
            var (bundleValid, bundleReason) = ReleaseSigning.VerifyBundle(bundle, key, manifest, manifestBytes, signatureBytes!, System.IO.Path.Combine(full, ModelSigningBundle.DefaultFileName));
            if (!bundleValid) throw new ReleaseIntegrityException($"release folder {full}: {bundleReason}", full, ModelSigningBundle.DefaultFileName) { IsSignatureFailure = true };
            reason += "; " + bundleReason;
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in manifest.Files)
        {
            if (entry.Size > Array.MaxLength)
                throw Refuse(full, entry.Path, $"{entry.Path}: {ReleaseFileNames.Manifest} records {entry.Size:N0} bytes, more than one file may hold here");
            var bytes = ReadEntire(full, entry.Path, entry.Size)
                ?? throw Refuse(full, entry.Path, $"{entry.Path} is listed in {ReleaseFileNames.Manifest} but missing: the release is incomplete");
            if (bytes.LongLength != entry.Size)
                throw Refuse(full, entry.Path, $"{entry.Path} is {bytes.LongLength:N0} bytes but {ReleaseFileNames.Manifest} records {entry.Size:N0}: the file was changed after release");
            var sha = FileDigest.Prefix + Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(sha, entry.Sha256, StringComparison.Ordinal))
                throw Refuse(full, entry.Path, $"{entry.Path} does not match its SHA-256 in {ReleaseFileNames.Manifest} (expected {entry.Sha256}, found {sha}): the file was changed after release");
            files[entry.Path] = bytes;
        }
        return new ReleaseSnapshot(full, trust, manifestBytes, manifest, reason, files);
    }

    /// <summary>Anything in the folder besides the listed files, the manifest and its two signature files fails closed.
    /// A sub-folder is accepted only when the manifest lists a file inside it (onnx/ for onnx/model.onnx), only as a
    /// real folder (not a link to one), and only holding listed files: nothing unlisted can hide one level down.</summary>
    private static void RefuseUnlisted(string folder, ReleaseManifest manifest)
    {
        var listedFolders = manifest.Files.Select(f => ReleaseManifest.FolderOf(f.Path)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            var name = entry.Name;
            if (entry is DirectoryInfo sub && listedFolders.Contains(name))
            {
                if (sub.LinkTarget is not null) throw Refuse(folder, name, $"{name} is a symbolic link; a release holds regular files and folders only");
                foreach (var inner in sub.EnumerateFileSystemInfos())
                {
                    var path = name + "/" + inner.Name;
                    if (inner is DirectoryInfo)
                        throw Refuse(folder, path, $"{path} is a folder; a release holds files at most {ReleaseManifest.MaxFolderDepth} sub-folder deep");
                    if (manifest.Find(path) is null)
                        throw Refuse(folder, path, $"{path} is in the folder but not listed in {ReleaseFileNames.Manifest}; a release holds only the files its manifest pins");
                }
                continue;
            }
            var known = entry is not DirectoryInfo
                && (name is ReleaseFileNames.Manifest or ReleaseFileNames.ManifestSignature or ModelSigningBundle.DefaultFileName || manifest.Find(name) is not null);
            if (!known)
                throw Refuse(folder, name, $"{name} is in the folder but not listed in {ReleaseFileNames.Manifest}; a release holds only the files its manifest pins");
        }
    }

    /// <summary>The whole file, or null when it does not exist; refuses links, folders, other file types and files over
    /// <paramref name="maxBytes"/>. At most maxBytes + 1 bytes are read, whatever the file claims.</summary>
    private static byte[]? ReadEntire(string folder, string name, long maxBytes)
    {
        var path = System.IO.Path.Combine(folder, name);
        // A listed file's sub-folder must be a real folder too: through a linked folder the read would leave the
        // release (the digest would still have to match, but nothing outside the folder is ever opened).
        if (ReleaseManifest.FolderOf(name) is { } sub && new DirectoryInfo(System.IO.Path.Combine(folder, sub)).LinkTarget is not null)
            throw Refuse(folder, sub, $"{sub} is a symbolic link; a release holds regular files and folders only");
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) throw Refuse(folder, name, $"{name} is a symbolic link; a release holds regular files only");
        if (Directory.Exists(path)) throw Refuse(folder, name, $"{name} is a folder; a release holds regular files only");
        if (!info.Exists) return null;
        if (info.Length > maxBytes) throw Refuse(folder, name, $"{name} is {info.Length:N0} bytes, more than the {maxBytes:N0} expected");
        // A FIFO, socket or device reports length 0, and opening a FIFO blocks until a writer comes: the gate would hang
        // until CI's timeout instead of failing. .NET does not expose the file type, and no file of a release is
        // empty, so a zero length is refused before anything is opened.
        if (info.Length == 0) throw Refuse(folder, name, $"{name} is empty or not a regular file (a FIFO, socket or device reads as 0 bytes); a release holds non-empty regular files only");
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[info.Length];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read), read);
            if (n == 0) break;
            read += n;
        }
        Span<byte> extra = stackalloc byte[1];
        if (read != buffer.Length || RandomAccess.Read(handle, extra, read) != 0)
            throw Refuse(folder, name, $"{name} changed size while it was read");
        return buffer;
    }

    private static string DecodeUtf8(byte[] bytes, string folder)
    {
        try
        {
            return new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw Refuse(folder, ReleaseFileNames.Manifest, $"{ReleaseFileNames.Manifest} is not valid UTF-8");
        }
    }

    private static ReleaseIntegrityException Refuse(string folder, string file, string what) => new($"release folder {folder}: {what}; refusing it", folder, file);
}
