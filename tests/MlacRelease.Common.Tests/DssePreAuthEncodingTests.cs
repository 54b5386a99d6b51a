using System.Text;
using MlacRelease.Common.Integrity;

namespace MlacRelease.Common.Tests;

public sealed class DssePreAuthEncodingTests
{
    [Fact]
    public void Matches_the_DSSE_specification_example()
    {
        // secure-systems-lab/dsse protocol.md: PAE("http://example.com/HelloWorld", "hello world").
        var pae = DssePreAuthEncoding.Encode("http://example.com/HelloWorld", "hello world"u8);
        Encoding.ASCII.GetString(pae).Should().Be("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    [Fact]
    public void Lengths_count_utf8_bytes()
    {
        var pae = DssePreAuthEncoding.Encode("t", Encoding.UTF8.GetBytes("é"));
        pae.Should().Equal([.. "DSSEv1 1 t 2 "u8.ToArray(), 0xC3, 0xA9]);
    }
}
