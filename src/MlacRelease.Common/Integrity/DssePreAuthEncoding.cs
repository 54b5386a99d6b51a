using System.Text;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// DSSE v1 pre-authentication encoding, the exact bytes a DSSE signature covers:
/// "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths as ASCII decimal byte counts
/// (https://github.com/secure-systems-lab/dsse/blob/v1.0.0/protocol.md).
/// </summary>
public static class DssePreAuthEncoding
{
    public static byte[] Encode(string payloadType, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        var type = Encoding.UTF8.GetBytes(payloadType);
        var header = Encoding.ASCII.GetBytes($"DSSEv1 {type.Length} ");
        var middle = Encoding.ASCII.GetBytes($" {payload.Length} ");
        var result = new byte[header.Length + type.Length + middle.Length + payload.Length];
        var span = result.AsSpan();
        header.CopyTo(span);
        type.CopyTo(span[header.Length..]);
        middle.CopyTo(span[(header.Length + type.Length)..]);
        payload.CopyTo(span[(header.Length + type.Length + middle.Length)..]);
        return result;
    }
}
