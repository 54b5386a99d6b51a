using System.Text;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

public class SafetensorsReaderRejectsTests
{
    private const string Valid = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}}""";

    private static readonly byte[] ValidData = SafetensorsBytes.Bytes(12);

    private static string Entry(string name, string dtype, string shape, string offsets) =>
        $$"""{{name}}:{"dtype":"{{dtype}}","shape":{{shape}},"data_offsets":{{offsets}}}""";

    private static byte[] One(string dtype, string shape, string offsets, int dataLength) =>
        SafetensorsBytes.Build("{" + Entry("\"t\"", dtype, shape, offsets) + "}", new byte[dataLength]);

    /// <summary>Each case: the bytes, and a fragment the message must contain to show it names the actual problem.</summary>
    private static readonly Dictionary<string, (Func<byte[]> Bytes, string Expected)> Cases = new()
    {
        ["empty file"] = (() => [], "file is empty"),
        ["shorter than 8 bytes"] = (() => [1, 0, 0, 0, 0], "5 bytes, shorter than the 8-byte header length"),
        ["header claims 2^40 bytes"] = (() => SafetensorsBytes.BuildRaw(1UL << 40, "{}"u8.ToArray(), []), "header length is 1099511627776 bytes, more than SafetensorsLimits.MaxHeaderBytes (100000000)"),
        ["header claims 2^64-1 bytes"] = (() => SafetensorsBytes.BuildRaw(ulong.MaxValue, "{}"u8.ToArray(), []), "header length is 18446744073709551615 bytes, more than"),
        ["header longer than file"] = (() => SafetensorsBytes.BuildRaw(1000, "{}      "u8.ToArray(), []), "header length is 1000 bytes but only 8 bytes follow"),
        ["header length zero"] = (() => SafetensorsBytes.BuildRaw(0, [], []), "header is empty"),
        ["truncated buffer"] = (() => SafetensorsBytes.Build(Valid, ValidData)[..^3], "tensor 'b': data_offsets [8, 12] end past the end of the 9-byte data buffer"),
        ["unknown dtype"] = (() => One("F8_E4M3", "[2]", "[0,2]", 2), "unknown or unsupported dtype 'F8_E4M3'"),
        ["lowercase dtype"] = (() => One("f32", "[1]", "[0,4]", 4), "unknown or unsupported dtype 'f32'"),
        ["dtype not a string"] = (() => SafetensorsBytes.Build("""{"t":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}""", new byte[4]), "dtype must be a string, found the number 4"),
        ["dtype and shape disagree with offsets"] = (() => One("F32", "[128,128]", "[0,4096]", 4096), "tensor 't': data_offsets [0, 4096] hold 4096 bytes but F32[128,128] needs 65536"),
        ["begin after end"] = (() => One("U8", "[0]", "[8,4]", 8), "data_offsets [8, 4] have begin > end"),
        ["offsets past the end"] = (() => One("U8", "[4]", "[100,104]", 8), "data_offsets [100, 104] end past the end of the 8-byte data buffer"),
        ["overlapping tensors"] = (() => SafetensorsBytes.Build("{" + Entry("\"a\"", "U8", "[4]", "[0,4]") + "," + Entry("\"b\"", "U8", "[4]", "[2,6]") + "}", new byte[6]), "tensor 'b': data_offsets [2, 6] overlap tensor 'a' at [0, 4]"),
        ["same offsets twice"] = (() => SafetensorsBytes.Build("{" + Entry("\"a\"", "U8", "[4]", "[0,4]") + "," + Entry("\"b\"", "U8", "[4]", "[0,4]") + "}", new byte[4]), "tensor 'b': data_offsets [0, 4] overlap tensor 'a' at [0, 4]"),
        ["empty tensor inside another"] = (() => SafetensorsBytes.Build("{" + Entry("\"a\"", "U8", "[4]", "[0,4]") + "," + Entry("\"e\"", "U8", "[0]", "[2,2]") + "}", new byte[4]), "tensor 'e': data_offsets [2, 2] overlap tensor 'a'"),
        ["hole between tensors"] = (() => SafetensorsBytes.Build("{" + Entry("\"a\"", "U8", "[4]", "[0,4]") + "," + Entry("\"b\"", "U8", "[4]", "[8,12]") + "}", new byte[12]), "tensor 'b': data_offsets [8, 12] leave a hole: bytes [4, 8) of the data buffer belong to no tensor"),
        ["hole before first tensor"] = (() => One("U8", "[4]", "[4,8]", 8), "leave a hole: bytes [0, 4) of the data buffer belong to no tensor (the first tensor must begin at 0)"),
        ["bytes after last tensor"] = (() => One("U8", "[4]", "[0,4]", 9), "the data buffer is 9 bytes but the tensors cover only [0, 4); the last 5 bytes belong to no tensor"),
        ["data but no tensors"] = (() => SafetensorsBytes.Build("{}", new byte[3]), "the data buffer is 3 bytes but the tensors cover only [0, 0)"),
        ["duplicate tensor names"] = (() => SafetensorsBytes.Build("{" + Entry("\"a\"", "U8", "[4]", "[0,4]") + "," + Entry("\"a\"", "U8", "[4]", "[4,8]") + "}", new byte[8]), "tensor 'a': duplicate key"),
        ["duplicate names via escapes"] = (() => SafetensorsBytes.Build("{" + Entry("\"a\"", "U8", "[4]", "[0,4]") + "," + Entry("\"\\u0061\"", "U8", "[4]", "[4,8]") + "}", new byte[8]), "tensor 'a': duplicate key"),
        ["duplicate metadata"] = (() => SafetensorsBytes.Build("""{"__metadata__":{},"__metadata__":{}}"""), "duplicate key: __metadata__"),
        ["duplicate metadata key"] = (() => SafetensorsBytes.Build("""{"__metadata__":{"k":"1","k":"2"}}"""), "duplicate key: __metadata__ has 'k' more than once"),
        ["duplicate field"] = (() => SafetensorsBytes.Build("""{"t":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", new byte[1]), "duplicate key: field 'dtype'"),
        ["negative dim"] = (() => One("U8", "[2,-1]", "[0,0]", 0), "shape dim 1 must be a non-negative integer, found negative -1"),
        ["negative offset"] = (() => One("U8", "[1]", "[-1,0]", 1), "data_offsets begin must be a non-negative integer, found negative -1"),
        ["fractional dim"] = (() => One("U8", "[1.0]", "[0,1]", 1), "shape dim 0 must be a non-negative integer, found 1.0"),
        ["exponent offset"] = (() => One("U8", "[1]", "[0,1e0]", 1), "data_offsets end must be a non-negative integer, found 1e0"),
        ["dim as string"] = (() => One("U8", "[\"1\"]", "[0,1]", 1), "shape dim 0 must be a non-negative integer, found a string"),
        ["offset beyond int64"] = (() => One("U8", "[1]", "[0,9223372036854775808]", 1), "data_offsets end must fit in a signed 64-bit integer, found 9223372036854775808"),
        ["shape product overflow"] = (() => One("F32", "[4294967296,4294967296]", "[0,0]", 0), "F32[4294967296,4294967296] has more elements or bytes than a 64-bit integer can count (shape product overflows)"),
        ["byte size overflow"] = (() => One("F64", "[2305843009213693952]", "[0,0]", 0), "shape product overflows"),
        ["overflow hidden behind a zero dim"] = (() => One("U8", "[0,4294967296,4294967296]", "[0,0]", 0), "shape product overflows"),
        ["rank above limit"] = (() => One("U8", "[1,1,1,1,1,1,1,1,1]", "[0,1]", 1), "shape has more than 8 dims"),
        ["non-UTF-8 header"] = (() => SafetensorsBytes.BuildRaw(8, [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), "header is not valid UTF-8 (byte 0xC3 at header offset 2)"),
        ["UTF-8 byte order mark"] = (() => SafetensorsBytes.Build("\uFEFF{}"), "header must be a JSON object starting with '{' but starts with byte 0xEF"),
        ["JSON array instead of object"] = (() => SafetensorsBytes.Build("[1,2]"), "header must be a JSON object starting with '{' but starts with '['"),
        ["JSON string instead of object"] = (() => SafetensorsBytes.Build("\"abc\""), "header must be a JSON object starting with '{' but starts with '\"'"),
        ["leading space"] = (() => SafetensorsBytes.Build(" {}"), "header must be a JSON object starting with '{' but starts with byte 0x20"),
        ["trailing garbage after JSON"] = (() => SafetensorsBytes.Build("{}  x", pad: false), "trailing data after the header's JSON object: 'x' at header offset 4"),
        ["second JSON object"] = (() => SafetensorsBytes.Build("{}{}"), "trailing data after the header's JSON object: '{' at header offset 2"),
        ["NUL padding"] = (() => SafetensorsBytes.BuildRaw(8, [(byte)'{', (byte)'}', 0, 0, 0, 0, 0, 0], []), "trailing data after the header's JSON object: byte 0x00 at header offset 2"),
        ["truncated JSON"] = (() => SafetensorsBytes.Build("""{"t":{"dtype":"U8","""), "header is not valid JSON"),
        ["trailing comma"] = (() => SafetensorsBytes.Build("""{"__metadata__":{},}"""), "header is not valid JSON"),
        ["comment"] = (() => SafetensorsBytes.Build("{/* hi */}"), "header is not valid JSON"),
        ["lone surrogate escape"] = (() => SafetensorsBytes.Build("""{"\ud800":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}"""), "not valid Unicode"),
        ["tensor entry not an object"] = (() => SafetensorsBytes.Build("""{"t":[1,2]}"""), "tensor 't': entry must be an object with dtype, shape and data_offsets, found an array"),
        ["tensor entry null"] = (() => SafetensorsBytes.Build("""{"t":null}"""), "found null"),
        ["unknown field"] = (() => SafetensorsBytes.Build("""{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"offset":7}}""", new byte[1]), "tensor 't': unknown field 'offset'"),
        ["missing dtype"] = (() => SafetensorsBytes.Build("""{"t":{"shape":[1],"data_offsets":[0,1]}}""", new byte[1]), "tensor 't': entry has no dtype"),
        ["missing shape"] = (() => SafetensorsBytes.Build("""{"t":{"dtype":"U8","data_offsets":[0,1]}}""", new byte[1]), "entry has no shape"),
        ["missing offsets"] = (() => SafetensorsBytes.Build("""{"t":{"dtype":"U8","shape":[1]}}""", new byte[1]), "entry has no data_offsets"),
        ["three offsets"] = (() => One("U8", "[1]", "[0,1,2]", 1), "data_offsets must be [begin, end], two non-negative integers, found more than two values"),
        ["one offset"] = (() => One("U8", "[1]", "[0]", 1), "found only one value"),
        ["shape not an array"] = (() => One("U8", "4", "[0,4]", 4), "shape must be an array of non-negative integers, found the number 4"),
        ["metadata not an object"] = (() => SafetensorsBytes.Build("""{"__metadata__":"pt"}"""), "__metadata__ must be an object of string values, found a string"),
        ["metadata value not a string"] = (() => SafetensorsBytes.Build("""{"__metadata__":{"epochs":3}}"""), "__metadata__ value for 'epochs' must be a string, found the number 3"),
        ["empty tensor name"] = (() => SafetensorsBytes.Build("""{"":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}"""), "tensor name is empty"),
        ["tensor name too long"] = (() => SafetensorsBytes.Build("{\"" + new string('n', 1025) + "\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}"), "tensor name is 1025 characters long; at most 1024"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Bad_file_is_rejected_with_a_message_naming_the_problem(string caseName)
    {
        (Func<byte[]> build, string expected) = Cases[caseName];
        byte[] bytes = build();
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        File.WriteAllBytes(path, bytes);

        var fromPath = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(path));
        var fromMemory = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(bytes, sourceName: "model.safetensors"));

        fromPath.Message.Should().StartWith(path + ": ").And.Contain(expected);
        fromPath.SourceName.Should().Be(path);
        fromMemory.Message.Should().Be("model.safetensors: " + fromPath.Message[(path.Length + 2)..]);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Bad_stream_that_cannot_seek_is_rejected_too(string caseName)
    {
        // Without a known length some problems surface later and read differently (e.g. "file ends" instead of
        // "only N bytes follow"), but always as the one exception type.
        byte[] bytes = Cases[caseName].Bytes();
        using var stream = new ForwardOnlyStream(bytes);

        var ex = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(stream, sourceName: "pipe"));

        ex.Message.Should().StartWith("pipe: ");
    }

    [Fact]
    public void Message_matches_the_documented_example_exactly()
    {
        byte[] bytes = SafetensorsBytes.Build(
            "{" + Entry("\"encoder.layer.0.attention.self.query.weight\"", "F32", "[128,128]", "[0,4096]") + "}", new byte[4096]);

        var ex = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(bytes, sourceName: "model.safetensors"));

        ex.Message.Should().Be("model.safetensors: tensor 'encoder.layer.0.attention.self.query.weight': data_offsets [0, 4096] hold 4096 bytes but F32[128,128] needs 65536");
        ex.TensorName.Should().Be("encoder.layer.0.attention.self.query.weight");
        ex.Problem.Should().Be("data_offsets [0, 4096] hold 4096 bytes but F32[128,128] needs 65536");
        ex.Should().BeAssignableTo<MlacRelease.Common.Errors.MlacInputException>();
    }

    [Fact]
    public void A_huge_claimed_header_is_not_allocated()
    {
        byte[] claims2To40 = SafetensorsBytes.BuildRaw(1UL << 40, "{}"u8.ToArray(), []);
        // With the limit raised, the claim (1 GB) passes the limit and must be stopped by the real file length instead.
        byte[] claims1G = SafetensorsBytes.BuildRaw(1_000_000_000, "{}"u8.ToArray(), []);
        var generous = new SafetensorsLimits { MaxHeaderBytes = 1_500_000_000 };
        using var folder = new TempFolder();
        string path = folder.File("big-claim.safetensors");
        File.WriteAllBytes(path, claims1G);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(claims2To40));
        var viaFile = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(path, generous));
        using (var pipe = new ForwardOnlyStream(claims1G, maxChunk: 4096))
        {
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(pipe, generous));
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        viaFile.Message.Should().Contain("header length is 1000000000 bytes but only 2 bytes follow");
        allocated.Should().BeLessThan(8L << 20, "no claimed size may be allocated before the bytes are there");
    }

    [Fact]
    public void A_huge_claimed_tensor_on_a_pipe_is_not_allocated()
    {
        // A non-seekable source cannot be measured up front; the claim must fail at end-of-stream, not at allocation.
        byte[] bytes = One("U8", "[1000000000]", "[0,1000000000]", 16);
        using var pipe = new ForwardOnlyStream(bytes, maxChunk: 4096);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(pipe, sourceName: "pipe"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        ex.Message.Should().Contain("tensor 't': the file ends at byte").And.Contain("inside its data [0, 1000000000]");
        allocated.Should().BeLessThan(8L << 20);
    }

    [Fact]
    public void Pipe_with_bytes_after_the_last_tensor_is_rejected()
    {
        byte[] bytes = One("U8", "[4]", "[0,4]", 5);
        using var pipe = new ForwardOnlyStream(bytes);

        var ex = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(pipe));

        ex.Message.Should().Be("data continues after the last tensor ends at data buffer offset 4; the format allows no trailing bytes");
    }

    [Fact]
    public void Limits_are_enforced()
    {
        byte[] bytes = SafetensorsWriter.WriteToArray(SafetensorsBytes.SampleTensors());

        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(bytes, new SafetensorsLimits { MaxTensors = 3 }))
            .Message.Should().Contain("header lists more than 3 tensors");
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(bytes, new SafetensorsLimits { MaxRank = 2 }))
            .Message.Should().Contain("shape has more than 2 dims");
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(bytes, new SafetensorsLimits { MaxHeaderBytes = 64 }))
            .Message.Should().Contain("more than SafetensorsLimits.MaxHeaderBytes (64)");
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(bytes, new SafetensorsLimits { MaxFileBytes = 100 }))
            .Message.Should().Contain($"file is {bytes.Length} bytes, more than SafetensorsLimits.MaxFileBytes (100)");
        using var pipe = new ForwardOnlyStream(bytes);
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(pipe, new SafetensorsLimits { MaxFileBytes = bytes.Length - 1 }))
            .Message.Should().Contain("would make the file larger than SafetensorsLimits.MaxFileBytes");
        using var pipe2 = new ForwardOnlyStream(bytes);
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(pipe2, new SafetensorsLimits { MaxFileBytes = 16 }))
            .Message.Should().Contain("past SafetensorsLimits.MaxFileBytes (16)");
    }

    [Fact]
    public void A_device_path_without_a_length_is_read_as_a_stream()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /dev/null is the portable-enough stand-in for a pipe on the CI machines, which run Linux.
        }

        Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read("/dev/null"))
            .Message.Should().Be("/dev/null: file is empty; expected an 8-byte header length, a JSON header and tensor data");
    }

    [Fact]
    public void Long_names_are_not_cut_inside_a_surrogate_pair()
    {
        string name = new string('x', 199) + "\ud83d\ude00" + new string('y', 10);
        byte[] bytes = SafetensorsBytes.Build("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,2]}}", new byte[2]);

        var ex = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(bytes));

        ex.Message.Should().Contain(new string('x', 199) + "\U0001F600…(+10 chars)'");
    }

    [Fact]
    public void Invalid_limits_are_refused_when_set()
    {
        FluentActions.Invoking(() => new SafetensorsLimits { MaxRank = 9 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new SafetensorsLimits { MaxTensors = -1 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new SafetensorsLimits { MaxHeaderBytes = 1L << 40 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new SafetensorsLimits { MaxFileBytes = 7 }).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Names_from_the_file_are_escaped_and_shortened_in_messages()
    {
        string name = "evil\\u001b[31m\\n" + new string('x', 500);
        byte[] bytes = SafetensorsBytes.Build("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,2]}}", new byte[2]);

        var ex = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(bytes));

        ex.Message.Should().StartWith("tensor 'evil\\u001B[31m\\u000A");
        ex.Message.Should().NotContain("\u001b").And.NotContain("\n");
        ex.Message.Should().Contain("…(+");
        ex.Message.Length.Should().BeLessThan(400);
        ex.TensorName.Should().Be("evil\u001b[31m\n" + new string('x', 500));
    }

    [Fact]
    public void Missing_file_is_an_io_error_not_a_format_error()
    {
        using var folder = new TempFolder();

        FluentActions.Invoking(() => SafetensorsReader.Read(folder.File("absent.safetensors")))
            .Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void Every_case_is_actually_malformed_only_in_the_way_it_claims()
    {
        // Guards the table itself: the valid base file, and a file one fix away from a "bad" case, read fine.
        SafetensorsReader.Read(SafetensorsBytes.Build(Valid, ValidData)).Tensors.Should().HaveCount(2);
        SafetensorsReader.Read(One("F32", "[128,128]", "[0,65536]", 65536)).Tensors.Should().HaveCount(1);
        SafetensorsReader.Read(One("U8", "[4]", "[0,4]", 4)).Tensors.Should().HaveCount(1);
        SafetensorsReader.Read(One("U8", "[1,1,1,1,1,1,1,1]", "[0,1]", 1)).Tensors.Should().HaveCount(1);
        SafetensorsReader.Read(One("U8", "[0,4294967296]", "[0,0]", 0)).Tensors.Should().HaveCount(1);
        SafetensorsReader.Read(SafetensorsBytes.Build("{\"" + new string('n', 1024) + "\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}"))
            .Tensors.Should().HaveCount(1);
        SafetensorsReader.Read(SafetensorsBytes.Build("""{"__metadata__":{"epochs":"3"}}""")).Metadata["epochs"].Should().Be("3");
        SafetensorsReader.Read(Encoding.ASCII.GetBytes("\u0002\0\0\0\0\0\0\0{}")).Tensors.Should().BeEmpty();
    }
}
