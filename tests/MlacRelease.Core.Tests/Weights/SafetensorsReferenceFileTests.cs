using System.Buffers.Binary;
using System.Text;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

/// <summary>
/// Files laid out byte for byte as the reference implementation (huggingface/safetensors, Python <c>save_file</c>) writes
/// them, crafted here from the spec so the test needs no Python: metadata first, tensors ordered by descending dtype
/// then name, header padded with spaces to a multiple of 8.
/// </summary>
public class SafetensorsReferenceFileTests
{
    // save_file({"ids": torch.tensor([[0, 1, -1, 2**53 + 1]]).view(4), "x": torch.tensor([[1.0, -2.0], [0.5, 65504.0]], dtype=torch.float16)},
    //           "model.safetensors", metadata={"format": "pt"})
    private const string HeaderJson =
        """{"__metadata__":{"format":"pt"},"ids":{"dtype":"I64","shape":[4],"data_offsets":[0,32]},"x":{"dtype":"F16","shape":[2,2],"data_offsets":[32,40]}}""";

    private static byte[] ReferenceFile()
    {
        var file = new List<byte>();
        file.AddRange([0x98, 0, 0, 0, 0, 0, 0, 0]); // 152 = 145 bytes of JSON + 7 spaces
        file.AddRange(Encoding.ASCII.GetBytes(HeaderJson));
        file.AddRange(Encoding.ASCII.GetBytes("       "));
        file.AddRange([0, 0, 0, 0, 0, 0, 0, 0]);                            // 0
        file.AddRange([1, 0, 0, 0, 0, 0, 0, 0]);                            // 1
        file.AddRange([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);    // -1
        file.AddRange([0x01, 0, 0, 0, 0, 0, 0x20, 0]);                      // 2^53 + 1
        file.AddRange([0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0xFF, 0x7B]);   // F16 1.0, -2.0, 0.5, 65504
        return [.. file];
    }

    [Fact]
    public void Reads_a_reference_layout_file_with_padding_f16_i64_and_metadata()
    {
        byte[] bytes = ReferenceFile();
        bytes.Length.Should().Be(8 + 152 + 40);
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        File.WriteAllBytes(path, bytes);

        SafetensorsFile file = SafetensorsReader.Read(path);

        file.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["format"] = "pt" });
        file.Tensors.Select(t => t.Name).Should().Equal("ids", "x");

        TensorRecord ids = file["ids"];
        ids.DType.Should().Be(TensorDType.I64);
        ids.Shape.Should().Equal(4L);
        Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadInt64LittleEndian(ids.Data.Span[(i * 8)..]))
            .Should().Equal(0L, 1L, -1L, (1L << 53) + 1);

        TensorRecord x = file["x"];
        x.DType.Should().Be(TensorDType.F16);
        x.Shape.Should().Equal(2L, 2L);
        Enumerable.Range(0, 4).Select(i => (float)BitConverter.ToHalf(x.Data.Span[(i * 2)..]))
            .Should().Equal(1.0f, -2.0f, 0.5f, 65504.0f);
    }

    [Fact]
    public void Writer_reproduces_the_reference_bytes_when_name_order_matches_the_reference_order()
    {
        // Here name order (ids, x) coincides with the reference's dtype-then-name order, so the canonical output
        // must match the reference byte for byte: same JSON field order, escaping, compactness and padding.
        SafetensorsFile file = SafetensorsReader.Read(ReferenceFile());

        SafetensorsWriter.WriteToArray(file.Tensors, file.Metadata).Should().Equal(ReferenceFile());
    }

    [Fact]
    public void Accepts_any_amount_of_trailing_space_padding_and_any_entry_order()
    {
        string json = """{"b":{"data_offsets":[2,4],"shape":[1],"dtype":"F16"} , "a" : {"shape":[],"dtype":"U8","data_offsets":[0,1]},"c":{"dtype":"BOOL","shape":[1],"data_offsets":[1,2]}}""";
        byte[] bytes = SafetensorsBytes.Build(json + new string(' ', 61), [7, 1, 0x00, 0x3C], pad: false);

        SafetensorsFile file = SafetensorsReader.Read(bytes);

        file.Tensors.Select(t => t.Name).Should().Equal("a", "c", "b");
        file["a"].Shape.Should().BeEmpty();
        file["a"].Data.ToArray().Should().Equal(7);
        file["c"].Data.ToArray().Should().Equal(1);
        ((float)BitConverter.ToHalf(file["b"].Data.Span)).Should().Be(1.0f);
        file.Metadata.Should().BeEmpty();
    }

    [Fact]
    public void Zero_length_tensors_may_share_an_offset()
    {
        string json = """{"e1":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"e0":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"e2":{"dtype":"F32","shape":[2,0],"data_offsets":[4,4]}}""";

        SafetensorsFile file = SafetensorsReader.Read(SafetensorsBytes.Build(json, [0, 0, 0x80, 0x3F]));

        file.Tensors.Select(t => t.Name).Should().Equal("e0", "w", "e1", "e2");
        file["e2"].Data.Length.Should().Be(0);
        BitConverter.ToSingle(file["w"].Data.Span).Should().Be(1.0f);
    }
}
