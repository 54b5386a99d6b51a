using MlacRelease.Core.Data;

namespace MlacRelease.Core.Tests.Data;

public sealed class CsvLoadingTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static DatasetFormatException LoadFails(string path)
    {
        var act = () => DatasetLoader.Load(path);
        return act.Should().Throw<DatasetFormatException>().Which;
    }

    [Fact]
    public void Quoted_fields_hold_commas_quotes_and_newlines()
    {
        var path = _dir.Write("q.csv",
            "id,text,desired,harmful\n" +
            "1,\"a, b\",x,f\n" +
            "2,\"say \"\"hi\"\"\",x,m\n" +
            "3,\"first\nsecond\n\nfourth\",y,f\n" +
            "4,\"\"\"quoted start\",y,m\n");

        var texts = DatasetLoader.Load(path).Examples.Select(e => e.Text);

        texts.Should().Equal("a, b", "say \"hi\"", "first\nsecond\n\nfourth", "\"quoted start");
    }

    [Fact]
    public void Records_after_a_multiline_field_report_their_physical_start_line()
    {
        var path = _dir.Write("lines.csv",
            "id,text,desired,harmful\n" +       // line 1
            "1,\"one\ntwo\nthree\",x,f\n" +     // lines 2-4
            "\n" +                              // line 5, blank
            "2,ok,x,m\n" +                      // line 6
            "3,\"multi\r\nline\",,f\n" +        // lines 7-8, empty desired
            "4,fine,x,\n");                     // line 9, empty harmful

        var ex = LoadFails(path);

        ex.Errors.Select(e => (e.LineNumber, e.Field)).Should().Equal((7L, "desired"), (9L, "harmful"));
        ex.Message.Should().StartWith($"{path}:7: field 'desired': expected a non-empty string, got an empty string");
    }

    [Fact]
    public void A_missing_header_column_is_reported_on_line_one()
    {
        var path = _dir.Write("nohdr.csv", "id,text,label\n1,t,x\n");

        var ex = LoadFails(path);

        ex.LineNumber.Should().Be(1);
        ex.Field.Should().Be("desired");
        ex.Errors.Select(e => e.Field).Should().Equal("desired", "harmful");
        ex.Message.Should().Contain("missing column in the header row (found 'id', 'text', 'label')");
    }

    [Fact]
    public void A_duplicated_header_column_is_reported()
    {
        var ex = LoadFails(_dir.Write("duphdr.csv", "text,desired,harmful,text\nt,x,f,u\n"));
        ex.Field.Should().Be("text");
        ex.Message.Should().Contain("more than once");
    }

    [Fact]
    public void A_wrong_number_of_fields_is_reported()
    {
        var ex = LoadFails(_dir.Write("count.csv", "id,text,desired,harmful\n1,t,x,f\n2,t,x\n"));
        ex.LineNumber.Should().Be(3);
        ex.Field.Should().BeNull();
        ex.Message.Should().Contain("expected 4 fields as in the header, got 3");
    }

    [Fact]
    public void An_unterminated_quote_is_reported_at_the_record_start()
    {
        var ex = LoadFails(_dir.Write("open.csv", "id,text,desired,harmful\n1,t,x,f\n2,\"never closed,x,f\n3,t,x,f\n"));
        ex.LineNumber.Should().Be(3);
        ex.Field.Should().Be("text");
        ex.Message.Should().Contain("unterminated quoted field");
    }

    [Fact]
    public void Stray_quotes_are_reported_against_their_column()
    {
        var ex = LoadFails(_dir.Write("stray.csv", "id,text,desired,harmful\n1,say \"hi\",x,f\n2,\"ok\"x,y,m\n3,t,x,f\n"));

        ex.Errors.Select(e => (e.LineNumber, e.Field)).Should().Equal((2L, "text"), (3L, "text"));
        ex.Errors[0].Message.Should().Contain("quote inside an unquoted field");
        ex.Errors[1].Message.Should().Contain("after a closing quote");
    }

    [Fact]
    public void An_overlong_quoted_record_is_bounded_and_reading_resumes_after_it()
    {
        // Each physical line fits the default bound (about 650 KB); the record they form together does not.
        var huge = new string('z', 400_000);
        var path = _dir.Write("huge.csv", $"id,text,desired,harmful\n1,\"{huge}\n{huge}\",x,f\n2,t,x,\n");

        var ex = LoadFails(path);

        ex.Errors.Select(e => (e.LineNumber, e.Field)).Should().Equal((2L, (string?)null), (4L, "harmful"));
        ex.Errors[0].Message.Should().Contain("record is longer than the configured limit");
    }
}
