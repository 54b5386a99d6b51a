using System.Security.Cryptography;
using System.Text;
using MlacRelease.Common.Integrity;

namespace MlacRelease.Common.Tests;

public sealed class SigstoreKeyHintTests
{
    [Fact]
    public void The_key_hint_is_the_sha256_of_the_public_key_pem_with_its_final_newline()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var base64 = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        var lines = Enumerable.Range(0, (base64.Length + 63) / 64).Select(i => base64.Substring(i * 64, Math.Min(64, base64.Length - i * 64)));
        var pem = "-----BEGIN PUBLIC KEY-----\n" + string.Join("\n", lines) + "\n-----END PUBLIC KEY-----\n";
        SigstoreKeyHint.For(key).Should().Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(pem))));
    }
}
