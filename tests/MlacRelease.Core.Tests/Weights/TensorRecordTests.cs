using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

public class TensorRecordTests
{
    [Fact]
    public void Valid_records_expose_what_they_were_given()
    {
        var record = new TensorRecord("w", TensorDType.F32, [2, 3], new byte[24]);

        record.Name.Should().Be("w");
        record.DType.Should().Be(TensorDType.F32);
        record.Shape.Should().Equal(2L, 3L);
        record.ElementCount.Should().Be(6);
        record.ToString().Should().Be("w: F32[2,3]");
        new TensorRecord("s", TensorDType.F64, [], new byte[8]).ElementCount.Should().Be(1, "a scalar has one element");
        new TensorRecord("e", TensorDType.F64, [3, 0], Array.Empty<byte>()).ElementCount.Should().Be(0);
        new TensorRecord(new string('n', TensorRecord.MaxNameLength), TensorDType.U8, [1, 1, 1, 1, 1, 1, 1, 1], new byte[1]).Shape.Length.Should().Be(8);
    }

    public static TheoryData<string, Func<TensorRecord>> Invalid() => new()
    {
        { "empty name", () => new TensorRecord("", TensorDType.U8, [1], new byte[1]) },
        { "name too long", () => new TensorRecord(new string('n', 1025), TensorDType.U8, [1], new byte[1]) },
        { "lone surrogate", () => new TensorRecord("a\ud800", TensorDType.U8, [1], new byte[1]) },
        { "undefined dtype", () => new TensorRecord("a", (TensorDType)42, [1], new byte[1]) },
        { "default shape", () => new TensorRecord("a", TensorDType.U8, default, new byte[1]) },
        { "rank 9", () => new TensorRecord("a", TensorDType.U8, [1, 1, 1, 1, 1, 1, 1, 1, 1], new byte[1]) },
        { "negative dim", () => new TensorRecord("a", TensorDType.U8, [-1], Array.Empty<byte>()) },
        { "overflowing shape", () => new TensorRecord("a", TensorDType.U8, [1L << 32, 1L << 32], Array.Empty<byte>()) },
        { "overflowing bytes", () => new TensorRecord("a", TensorDType.F64, [1L << 61], Array.Empty<byte>()) },
        { "too little data", () => new TensorRecord("a", TensorDType.F32, [2], new byte[7]) },
        { "too much data", () => new TensorRecord("a", TensorDType.F32, [2], new byte[9]) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_records_are_refused(string why, Func<TensorRecord> create)
    {
        FluentActions.Invoking(create).Should().Throw<ArgumentException>(why);
    }

    [Fact]
    public void Content_equality_compares_every_part()
    {
        var a = new TensorRecord("w", TensorDType.U8, [2], (byte[])[1, 2]);

        a.ContentEquals(new TensorRecord("w", TensorDType.U8, [2], (byte[])[1, 2])).Should().BeTrue();
        a.ContentEquals(new TensorRecord("w", TensorDType.U8, [2], (byte[])[1, 3])).Should().BeFalse();
        a.ContentEquals(new TensorRecord("w", TensorDType.I8, [2], (byte[])[1, 2])).Should().BeFalse();
        a.ContentEquals(new TensorRecord("w", TensorDType.U8, [1, 2], (byte[])[1, 2])).Should().BeFalse();
        a.ContentEquals(new TensorRecord("v", TensorDType.U8, [2], (byte[])[1, 2])).Should().BeFalse();
        a.ContentEquals(null).Should().BeFalse();
    }

    [Fact]
    public void File_rejects_duplicate_names()
    {
        TensorRecord t = SafetensorsBytes.Tensor("t", TensorDType.U8, [1]);

        FluentActions.Invoking(() => new SafetensorsFile([t, t])).Should().Throw<ArgumentException>();
    }
}
