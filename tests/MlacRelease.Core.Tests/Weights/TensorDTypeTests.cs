using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

public class TensorDTypeTests
{
    [Theory]
    [InlineData(TensorDType.F64, "F64", 8)]
    [InlineData(TensorDType.F32, "F32", 4)]
    [InlineData(TensorDType.F16, "F16", 2)]
    [InlineData(TensorDType.BF16, "BF16", 2)]
    [InlineData(TensorDType.I64, "I64", 8)]
    [InlineData(TensorDType.I32, "I32", 4)]
    [InlineData(TensorDType.I16, "I16", 2)]
    [InlineData(TensorDType.I8, "I8", 1)]
    [InlineData(TensorDType.U8, "U8", 1)]
    [InlineData(TensorDType.BOOL, "BOOL", 1)]
    public void Size_and_spelling_match_the_safetensors_format(TensorDType dtype, string text, int size)
    {
        dtype.ElementSize().Should().Be(size);
        dtype.ToSafetensorsString().Should().Be(text);
        TensorDTypeExtensions.ParseSafetensorsDType(text).Should().Be(dtype);
        TensorDTypeExtensions.TryParseSafetensorsDType(text, out TensorDType parsed).Should().BeTrue();
        parsed.Should().Be(dtype);
    }

    [Fact]
    public void Every_member_is_covered()
    {
        Enum.GetValues<TensorDType>().Should().HaveCount(10).And.OnlyContain(d => d.IsDefined());
    }

    [Theory]
    [InlineData("f32")]
    [InlineData("")]
    [InlineData(" F32")]
    [InlineData("F8_E4M3")]
    [InlineData("U16")]
    [InlineData(null)]
    public void Unknown_spellings_are_refused(string? text)
    {
        TensorDTypeExtensions.TryParseSafetensorsDType(text, out _).Should().BeFalse();
    }

    [Fact]
    public void Undefined_values_throw()
    {
        FluentActions.Invoking(() => ((TensorDType)99).ElementSize()).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ((TensorDType)(-1)).ToSafetensorsString()).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => TensorDTypeExtensions.ParseSafetensorsDType("f16")).Should().Throw<FormatException>();
    }
}
