using MlacRelease.Common.Text;

namespace MlacRelease.Common.Tests;

public sealed class PrintableTextTests
{
    [Theory]
    [InlineData("ok\ngate: PASS", "ok\\u000agate: PASS")]
    [InlineData("a\r\nb", "a\\u000d\\u000ab")]
    [InlineData("\u001b[2Kgate: PASS", "\\u001b[2Kgate: PASS")]
    [InlineData("name\u202Egpj.exe", "name\\u202egpj.exe")]
    [InlineData("zero\u200Bwidth", "zero\\u200bwidth")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    public void Characters_that_could_forge_or_hide_output_become_visible_escapes(string text, string shown) =>
        PrintableText.OneLine(text).Should().Be(shown);

    [Theory]
    [InlineData("A nurse in Montréal, 東京, ağ — 100 % [CLS]")]
    [InlineData("")]
    public void Ordinary_text_is_returned_unchanged(string text) =>
        PrintableText.OneLine(text).Should().BeSameAs(text);
}
