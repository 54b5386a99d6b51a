using System.Security.Cryptography;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Release;

/// <summary>
/// Signs a release folder twice with one key: manifest.sig (this toolkit's detached signature over manifest.json) and
/// model.sig (the OpenSSF model-signing layout: a Sigstore bundle, public-key flavour, whose in-toto statement lists
/// every file of the folder, manifest.json and manifest.sig included), so that model_signing and Sigstore's
/// verifiers can check a release without this toolkit.
/// </summary>
public static class ReleaseSigning
{
    public static ManifestSignature Sign(string folder, string privateKeyPath)
    {
        // The manifest is read once: both signatures cover the same bytes even if the file changes meanwhile.
        var manifestPath = Path.Combine(folder, ReleaseFileNames.Manifest);
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"{manifestPath}: missing", manifestPath);
        if (new FileInfo(manifestPath).Length > ReleaseSnapshot.MaxManifestBytes) throw new MlacInputException($"{manifestPath}: larger than {ReleaseSnapshot.MaxManifestBytes:N0} bytes");
        var manifestBytes = File.ReadAllBytes(manifestPath);
        var manifest = ReleaseManifest.Parse(System.Text.Encoding.UTF8.GetString(manifestBytes), manifestPath);
        using var key = SigningKeys.LoadPrivate(privateKeyPath);
        var signature = ManifestSignature.Create(manifestBytes, key);
        var signatureBytes = signature.ToBytes();
        var bundle = ModelSigningBundle.Sign(Resources(manifest, manifestBytes, signatureBytes), Path.GetFileName(Path.GetFullPath(folder)), key);
        IO.AtomicFile.WriteAllBytes(Path.Combine(folder, ManifestSignature.FileName), signatureBytes);
        IO.AtomicFile.WriteAllBytes(Path.Combine(folder, ModelSigningBundle.DefaultFileName), bundle);
        return signature;
    }

    /// <summary>What model.sig must list for a folder: every manifest entry, plus the manifest and its signature.</summary>
    public static IReadOnlyList<ModelSigningResource> Resources(ReleaseManifest manifest, byte[] manifestBytes, byte[] signatureBytes)
    {
        var resources = manifest.Files.Select(ModelSigningResource.FromManifestEntry).ToList();
        resources.Add(new ModelSigningResource(ReleaseFileNames.Manifest, Convert.ToHexStringLower(SHA256.HashData(manifestBytes))));
        resources.Add(new ModelSigningResource(ReleaseFileNames.ManifestSignature, Convert.ToHexStringLower(SHA256.HashData(signatureBytes))));
        return resources;
    }

    /// <summary>Checks model.sig's bytes against the key and the verified folder; the reason names the first mismatch.</summary>
    internal static (bool Valid, string Reason) VerifyBundle(byte[] bundle, ECDsa key, ReleaseManifest manifest, byte[] manifestBytes, byte[] signatureBytes, string source)
    {
        VerifiedModelStatement statement;
        try
        {
            statement = ModelSigningBundle.Verify(bundle, key, source);
        }
        catch (Exception e) when (e is MlacInputException or InvalidDataException)
        {
            return (false, e.Message);
        }
        var expected = Resources(manifest, manifestBytes, signatureBytes).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var listed = statement.Resources.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        if (!expected.SequenceEqual(listed))
        {
            var odd = listed.FirstOrDefault(r => !expected.Contains(r))?.Name ?? expected.FirstOrDefault(r => !listed.Contains(r))?.Name;
            return (false, $"{source}: its file list does not match the folder (first difference: '{odd}')");
        }
        return (true, $"{source} (OpenSSF model signing, Sigstore bundle) lists the folder's {listed.Count} files with the same key");
    }
}
