using System.Security.Cryptography;
using MlacRelease.Common.Integrity;

namespace MlacRelease.Common.Release;

/// <summary>
/// What a reader of a release folder trusts. Digests anyone can recompute prove nothing about who made a release, so
/// the default is a public key whose signature the manifest must carry; reading an unsigned folder is a named opt-in.
/// </summary>
public sealed class ReleaseTrust
{
    private ReleaseTrust(string? publicKeyPath) => PublicKeyPath = publicKeyPath;

    /// <summary>The PEM public key whose ECDSA signature (manifest.sig) the manifest must carry; null for <see cref="Unsigned"/>.</summary>
    public string? PublicKeyPath { get; }

    public bool RequiresSignature => PublicKeyPath is not null;

    /// <summary>Only a manifest signed by this key is accepted.</summary>
    public static ReleaseTrust SignedBy(string publicKeyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(publicKeyPath);
        if (!File.Exists(publicKeyPath)) throw new FileNotFoundException($"{publicKeyPath}: no such public key file", publicKeyPath);
        return new ReleaseTrust(publicKeyPath);
    }

    /// <summary>Explicit opt-in: files are still checked against manifest.json, but nothing proves who wrote the manifest,
    /// so anyone who can write the folder can change what is served. Callers should warn their users.</summary>
    public static ReleaseTrust Unsigned { get; } = new((string?)null);

    public const string UnsignedWarning =
        "serving a release without checking its signature: anyone who could write the folder could have changed what it computes";

    /// <summary>The trusted key, read once per use so every signature of a folder is checked against the same key.</summary>
    internal ECDsa? LoadKey() => PublicKeyPath is null ? null : SigningKeys.LoadPublic(PublicKeyPath);
}
