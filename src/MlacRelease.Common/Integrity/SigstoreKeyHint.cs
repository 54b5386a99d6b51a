using System.Security.Cryptography;
using System.Text;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// The key hint a model-signing bundle names its public key by (verificationMaterial.publicKey.hint), as OpenSSF
/// model_signing computes it: lowercase hex SHA-256 of the key's SubjectPublicKeyInfo PEM text, 64-character base64
/// lines, "\n" line ends, one final "\n" (the PEM that Python's cryptography and Node both write). model_signing's
/// `verify key` refuses a bundle whose hint differs. It is not <see cref="SigningKeys.KeyId"/> (16 hex digits of the
/// DER bytes' SHA-256), which manifest.sig uses.
/// </summary>
public static class SigstoreKeyHint
{
    public static string For(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pem = key.ExportSubjectPublicKeyInfoPem().ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(pem)));
    }
}
