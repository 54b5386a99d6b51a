using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

public class SafetensorsRoundTripTests
{
    [Fact]
    public void Write_then_read_gives_identical_tensors_and_metadata()
    {
        List<TensorRecord> tensors = SafetensorsBytes.SampleTensors();
        Dictionary<string, string> metadata = SafetensorsBytes.SampleMetadata();
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");

        SafetensorsWriter.Write(path, tensors, metadata);
        SafetensorsFile file = SafetensorsReader.Read(path);

        file.Tensors.Should().HaveCount(tensors.Count);
        foreach (TensorRecord expected in tensors)
        {
            TensorRecord actual = file[expected.Name];
            actual.DType.Should().Be(expected.DType, expected.Name);
            actual.Shape.Should().Equal(expected.Shape, expected.Name);
            actual.Data.ToArray().Should().Equal(expected.Data.ToArray(), expected.Name);
            actual.ContentEquals(expected).Should().BeTrue();
        }

        file.Metadata.Should().BeEquivalentTo(metadata);
    }

    [Fact]
    public void File_stream_and_memory_readers_agree()
    {
        byte[] bytes = SafetensorsWriter.WriteToArray(SafetensorsBytes.SampleTensors(), SafetensorsBytes.SampleMetadata());
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        File.WriteAllBytes(path, bytes);

        SafetensorsFile fromMemory = SafetensorsReader.Read(bytes);
        SafetensorsFile fromPath = SafetensorsReader.Read(path);
        using var seekable = new MemoryStream(bytes);
        SafetensorsFile fromSeekable = SafetensorsReader.Read(seekable);
        using var forwardOnly = new ForwardOnlyStream(bytes);
        SafetensorsFile fromForwardOnly = SafetensorsReader.Read(forwardOnly);

        foreach (SafetensorsFile other in new[] { fromPath, fromSeekable, fromForwardOnly })
        {
            other.Tensors.Select(t => t.Name).Should().Equal(fromMemory.Tensors.Select(t => t.Name));
            other.Tensors.Zip(fromMemory.Tensors).Should().OnlyContain(p => p.First.ContentEquals(p.Second));
            other.Metadata.Should().BeEquivalentTo(fromMemory.Metadata);
        }
    }

    [Fact]
    public void Rewriting_what_was_read_reproduces_the_same_bytes()
    {
        byte[] first = SafetensorsWriter.WriteToArray(SafetensorsBytes.SampleTensors(), SafetensorsBytes.SampleMetadata());
        SafetensorsFile read = SafetensorsReader.Read(first);

        byte[] second = SafetensorsWriter.WriteToArray(read.Tensors, read.Metadata);

        second.Should().Equal(first);
    }

    [Fact]
    public void Order_of_tensors_and_metadata_does_not_change_the_bytes_or_the_digest()
    {
        List<TensorRecord> tensors = SafetensorsBytes.SampleTensors();
        List<TensorRecord> shuffled = [.. tensors];
        new Random(7).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        shuffled.Select(t => t.Name).Should().NotEqual(tensors.Select(t => t.Name), "the shuffle must actually reorder");
        var metadata = SafetensorsBytes.SampleMetadata();
        var metadataReversed = metadata.Reverse().ToDictionary();

        byte[] a = SafetensorsWriter.WriteToArray(tensors, metadata);
        byte[] b = SafetensorsWriter.WriteToArray(shuffled, metadataReversed);

        b.Should().Equal(a);
        WeightDigest.Compute(shuffled).Should().Be(WeightDigest.Compute(tensors));
    }

    [Fact]
    public void Output_is_canonical_compact_padded_and_ordered_by_name()
    {
        var tensors = new[]
        {
            SafetensorsBytes.Tensor("b", TensorDType.F32, [2], 1),
            SafetensorsBytes.Tensor("a", TensorDType.U8, [3], 2),
        };

        byte[] bytes = SafetensorsWriter.WriteToArray(tensors, new Dictionary<string, string> { ["k"] = "v" });

        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        n.Should().Be(136, "the 132-byte JSON is padded to a multiple of 8");
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        header.Should().Be(
            "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[3,11]}}    ");
        bytes.AsSpan(8 + (int)n).ToArray().Should().Equal([.. tensors[1].Data.ToArray(), .. tensors[0].Data.ToArray()]);
        using JsonDocument parsed = JsonDocument.Parse(header);
        parsed.RootElement.ValueKind.Should().Be(JsonValueKind.Object);
    }

    [Fact]
    public void Empty_and_missing_metadata_give_the_same_bytes()
    {
        var tensors = SafetensorsBytes.SampleTensors();

        SafetensorsWriter.WriteToArray(tensors, new Dictionary<string, string>())
            .Should().Equal(SafetensorsWriter.WriteToArray(tensors));
    }

    [Fact]
    public void No_tensors_round_trips_as_an_empty_file()
    {
        byte[] bytes = SafetensorsWriter.WriteToArray([]);

        Encoding.ASCII.GetString(bytes, 8, bytes.Length - 8).Should().Be("{}      ");
        SafetensorsFile file = SafetensorsReader.Read(bytes);
        file.Tensors.Should().BeEmpty();
        file.Metadata.Should().BeEmpty();
    }

    [Fact]
    public void Stream_writer_matches_array_writer_and_file_writer()
    {
        var tensors = SafetensorsBytes.SampleTensors();
        var metadata = SafetensorsBytes.SampleMetadata();
        byte[] expected = SafetensorsWriter.WriteToArray(tensors, metadata);
        using var stream = new MemoryStream();
        using var folder = new TempFolder();
        string path = folder.File("x.safetensors");

        SafetensorsWriter.Write(stream, tensors, metadata);
        SafetensorsWriter.Write(path, tensors, metadata);

        stream.ToArray().Should().Equal(expected);
        File.ReadAllBytes(path).Should().Equal(expected);
    }

    [Fact]
    public void Tensors_are_listed_in_data_offset_order()
    {
        // Data order (c, a, b) differs from both name order and header order (a, b, c).
        string json = """{"a":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]},"c":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}""";

        SafetensorsFile file = SafetensorsReader.Read(SafetensorsBytes.Build(json, [1, 2, 3, 4, 5]));

        file.Tensors.Select(t => t.Name).Should().Equal("c", "a", "b");
        file["a"].Data.ToArray().Should().Equal(3);
        file["b"].Data.ToArray().Should().Equal(4, 5);
        file["c"].Data.ToArray().Should().Equal(1, 2);
        file.Contains("d").Should().BeFalse();
        file.TryGetTensor("b", out TensorRecord? b).Should().BeTrue();
        b!.Name.Should().Be("b");
        file.Invoking(f => f["d"]).Should().Throw<KeyNotFoundException>();
    }

    [Fact]
    public void Read_tensors_do_not_alias_the_callers_buffer()
    {
        byte[] bytes = SafetensorsWriter.WriteToArray([SafetensorsBytes.Tensor("t", TensorDType.U8, [4], 3)]);
        SafetensorsFile file = SafetensorsReader.Read(bytes);
        byte[] before = file["t"].Data.ToArray();

        Array.Fill(bytes, (byte)0xAA);

        file["t"].Data.ToArray().Should().Equal(before);
    }

    [Fact]
    public void Seekable_stream_is_read_from_its_current_position()
    {
        byte[] file = SafetensorsWriter.WriteToArray(SafetensorsBytes.SampleTensors());
        using var stream = new MemoryStream([0xFF, 0xFE, .. file]);
        stream.Position = 2;

        SafetensorsReader.Read(stream).Tensors.Should().HaveCount(SafetensorsBytes.SampleTensors().Count);
    }
}
