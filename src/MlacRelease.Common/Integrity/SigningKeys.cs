using System.Security.Cryptography;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// ECDSA P-256 key pairs as PEM files (PKCS#8 private key, SubjectPublicKeyInfo public key), and the key id a
/// signature names: the first 16 hex digits of the SHA-256 of the public key's DER bytes.
/// </summary>
public static class SigningKeys
{
    public static (string PrivateKeyPem, string PublicKeyPem, string KeyId) Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key.ExportPkcs8PrivateKeyPem(), key.ExportSubjectPublicKeyInfoPem(), KeyId(key));
    }

    /// <summary>Writes key.pem (mode 600 where the OS has modes) and key.pub; refuses to overwrite a private key.</summary>
    public static string WriteKeyPair(string privateKeyPath, string publicKeyPath)
    {
        if (File.Exists(privateKeyPath)) throw new IOException($"{privateKeyPath}: already exists; refusing to overwrite a private key");
        var (privatePem, publicPem, keyId) = Generate();
        // The public key first, the private key last and atomically: a run killed at any moment leaves either no private key
        // (the same command then writes both) or a complete pair, never a truncated key that the overwrite check would keep.
        IO.AtomicFile.WriteAllText(publicKeyPath, publicPem);
        IO.AtomicFile.Write(privateKeyPath, stream => stream.Write(System.Text.Encoding.ASCII.GetBytes(privatePem)), overwrite: false,
            mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return keyId;
    }

    public static ECDsa LoadPrivate(string path) => Load(path, isPrivate: true);

    public static ECDsa LoadPublic(string path) => Load(path, isPrivate: false);

    public static string KeyId(ECDsa key) =>
        Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    private static ECDsa Load(string path, bool isPrivate)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such key file", path);
        if (new FileInfo(path).Length > 16 * 1024) throw new MlacInputException($"{path}: too large to be a PEM key");
        var pem = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new MlacInputException($"{path}: not a PEM ECDSA {(isPrivate ? "private" : "public")} key ({e.Message})", e);
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new MlacInputException($"{path}: expected a P-256 key, got {key.KeySize} bits");
        }
        if (isPrivate)
        {
            try
            {
                _ = key.ExportParameters(includePrivateParameters: true);
            }
            catch (CryptographicException)
            {
                key.Dispose();
                throw new MlacInputException($"{path}: holds a public key; signing needs the private key");
            }
        }
        return key;
    }
}
