using MlacRelease.Common.Integrity;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

public class WeightDigestTests
{
    private static TensorRecord[] Golden() =>
    [
        new("b.weight", TensorDType.F32, [2], (byte[])[0, 0, 0x80, 0x3F, 0, 0, 0x20, 0xC0]),
        new("a", TensorDType.I64, [], (byte[])[7, 0, 0, 0, 0, 0, 0, 0]),
        new("\u00e9", TensorDType.U8, [0], Array.Empty<byte>()),
        new("\uffff", TensorDType.BOOL, [1], (byte[])[1]),
        new("\U0001F600", TensorDType.BF16, [1, 1], (byte[])[0x80, 0x3F]),
    ];

    [Fact]
    public void Matches_the_value_computed_by_the_documented_python()
    {
        // Produced by the Python snippet in WeightDigest's doc comment; if this changes, certificates break.
        // "\uffff" sorts before the emoji in code point (UTF-8) order but after it in UTF-16 order, so this also pins the ordering.
        WeightDigest.Compute(Golden()).Should().Be("sha256:62caa0d82a2a03e515ff29b8d3c68684ec9eb6885aea597d335281c0894fa076");
        WeightDigest.Compute([]).Should().Be("sha256:0ca2c6edef41df6b610c08218c16cf0231385cd6fb61909e7a28cc92d335f07b");
    }

    [Fact]
    public void Matches_an_independent_implementation_of_the_encoding()
    {
        List<TensorRecord> tensors = SafetensorsBytes.SampleTensors();
        var encoding = new List<byte>("mlac.weights.v1\n"u8.ToArray());
        AddInt64(encoding, tensors.Count);
        foreach (TensorRecord t in tensors.OrderBy(t => Encoding.UTF8.GetBytes(t.Name), ByteOrder.Instance))
        {
            byte[] name = Encoding.UTF8.GetBytes(t.Name);
            AddInt64(encoding, name.Length);
            encoding.AddRange(name);
            byte[] dtype = Encoding.ASCII.GetBytes(t.DType.ToSafetensorsString());
            AddInt64(encoding, dtype.Length);
            encoding.AddRange(dtype);
            AddInt64(encoding, t.Shape.Length);
            foreach (long d in t.Shape)
            {
                AddInt64(encoding, d);
            }

            AddInt64(encoding, t.Data.Length);
            encoding.AddRange(t.Data.ToArray());
        }

        WeightDigest.Compute(tensors).Should().Be("sha256:" + Convert.ToHexStringLower(SHA256.HashData(encoding.ToArray())));
    }

    [Fact]
    public void Same_weights_give_the_same_digest_whatever_the_order_layout_or_metadata()
    {
        List<TensorRecord> tensors = SafetensorsBytes.SampleTensors();
        byte[] fileA = SafetensorsWriter.WriteToArray(tensors, new Dictionary<string, string> { ["format"] = "pt" });
        byte[] fileB = SafetensorsWriter.WriteToArray(Enumerable.Reverse(tensors));
        // A hand-laid file whose data order is the reverse of the writer's.
        byte[] fileC = ReverseLayout(tensors);

        string expected = WeightDigest.Compute(tensors);
        WeightDigest.Compute(SafetensorsReader.Read(fileA).Tensors).Should().Be(expected);
        WeightDigest.Compute(SafetensorsReader.Read(fileB).Tensors).Should().Be(expected);
        WeightDigest.Compute(SafetensorsReader.Read(fileC).Tensors).Should().Be(expected);
        WeightDigest.Compute(Enumerable.Reverse(tensors)).Should().Be(expected);
        fileC.Should().NotEqual(fileB);
        FileDigestOf(fileA).Should().NotBe(FileDigestOf(fileB), "file digests see the metadata, weight digests do not");
    }

    [Fact]
    public void Changing_one_byte_of_one_tensor_changes_the_digest()
    {
        List<TensorRecord> tensors = SafetensorsBytes.SampleTensors();
        string original = WeightDigest.Compute(tensors);
        TensorRecord victim = tensors[3];
        byte[] data = victim.Data.ToArray();
        data[data.Length / 2] ^= 0x01;
        tensors[3] = new TensorRecord(victim.Name, victim.DType, victim.Shape, data);

        WeightDigest.Compute(tensors).Should().NotBe(original);
    }

    [Fact]
    public void Name_dtype_and_shape_are_all_covered()
    {
        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        string Digest(string name, TensorDType dtype, long[] shape) => WeightDigest.Compute([new TensorRecord(name, dtype, [.. shape], data)]);

        string baseline = Digest("w", TensorDType.F16, [2, 3]);
        new[]
        {
            Digest("w2", TensorDType.F16, [2, 3]),
            Digest("w", TensorDType.BF16, [2, 3]),
            Digest("w", TensorDType.I16, [2, 3]),
            Digest("w", TensorDType.F16, [3, 2]),
            Digest("w", TensorDType.F16, [6]),
            Digest("w", TensorDType.F16, [1, 2, 3]),
            Digest("w", TensorDType.U8, [12]),
        }.Should().NotContain(baseline).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void Moving_bytes_between_tensors_changes_the_digest()
    {
        // Same concatenated bytes, different split: the length prefixes must keep these apart.
        string a = WeightDigest.Compute([new TensorRecord("a", TensorDType.U8, [1], (byte[])[1]), new TensorRecord("b", TensorDType.U8, [2], (byte[])[2, 3])]);
        string b = WeightDigest.Compute([new TensorRecord("a", TensorDType.U8, [2], (byte[])[1, 2]), new TensorRecord("b", TensorDType.U8, [1], (byte[])[3])]);

        a.Should().NotBe(b);
    }

    [Fact]
    public void Rejects_duplicate_names()
    {
        TensorRecord t = SafetensorsBytes.Tensor("t", TensorDType.U8, [1]);

        FluentActions.Invoking(() => WeightDigest.Compute([t, t])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void File_digest_is_sha256_of_the_exact_bytes()
    {
        using var folder = new TempFolder();
        string path = folder.File("abc.bin");
        File.WriteAllBytes(path, "abc"u8.ToArray());

        FileDigest.Sha256(path).Should().Be("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        using var stream = new MemoryStream("abc"u8.ToArray());
        FileDigest.Sha256(stream).Should().Be(FileDigest.Sha256(path));
    }

    private static string FileDigestOf(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return FileDigest.Sha256(stream);
    }

    private static byte[] ReverseLayout(List<TensorRecord> tensors)
    {
        var entries = new List<string>();
        var data = new List<byte>();
        foreach (TensorRecord t in tensors.OrderByDescending(t => t.Name, StringComparer.Ordinal))
        {
            string name = System.Text.Json.JsonSerializer.Serialize(t.Name);
            entries.Add($$"""{{name}}:{"dtype":"{{t.DType.ToSafetensorsString()}}","shape":[{{string.Join(',', t.Shape)}}],"data_offsets":[{{data.Count}},{{data.Count + t.Data.Length}}]}""");
            data.AddRange(t.Data.ToArray());
        }

        return SafetensorsBytes.Build("{" + string.Join(", ", entries) + "}", [.. data]);
    }

    private static void AddInt64(List<byte> list, long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        list.AddRange(bytes);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
