using System.Text;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;

namespace MlacRelease.Core.Tests.Data;

public sealed class DatasetLoaderErrorTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Good(int i) =>
        $"{{\"id\":\"e{i}\",\"text\":\"Biography number {i}.\",\"desired\":\"nurse\",\"harmful\":\"female\"}}";

    /// <summary>A JSONL file of good lines with <paramref name="bad"/> placed at the given 1-based lines.</summary>
    private string JsonlWith(string name, int lines, params (int Line, string Content)[] bad)
    {
        var content = Enumerable.Range(1, lines)
            .Select(i => bad.FirstOrDefault(b => b.Line == i).Content ?? Good(i));
        return _dir.Write(name, string.Join("\n", content) + "\n");
    }

    private static DatasetFormatException LoadFails(string path, DatasetLoadOptions? options = null)
    {
        var act = () => DatasetLoader.Load(path, options);
        return act.Should().Throw<DatasetFormatException>().Which;
    }

    [Fact]
    public void Wrong_json_type_is_reported_with_file_line_and_field()
    {
        var path = JsonlWith("bios.jsonl", 20, (17, "{\"id\":\"x\",\"text\":\"t\",\"desired\":3,\"harmful\":\"male\"}"));

        var ex = LoadFails(path);

        ex.FilePath.Should().Be(path);
        ex.LineNumber.Should().Be(17);
        ex.Field.Should().Be("desired");
        ex.Message.Should().Be($"{path}:17: field 'desired': expected a non-empty string, got number");
        ex.Errors.Should().ContainSingle();
        ex.Should().BeAssignableTo<MlacRelease.Common.Errors.MlacInputException>();
    }

    [Theory]
    [InlineData("{\"id\":\"x\",\"text\":\"t\",\"desired\":\"a\"}", "harmful", "missing")]
    [InlineData("{\"id\":\"x\",\"text\":null,\"desired\":\"a\",\"harmful\":\"m\"}", "text", "expected a non-empty string, got null")]
    [InlineData("{\"id\":\"x\",\"text\":\"t\",\"desired\":[\"a\"],\"harmful\":\"m\"}", "desired", "expected a non-empty string, got array")]
    [InlineData("{\"id\":\"x\",\"text\":\"t\",\"desired\":\"a\",\"harmful\":true}", "harmful", "expected a non-empty string, got boolean")]
    [InlineData("{\"id\":1.5,\"text\":\"t\",\"desired\":\"a\",\"harmful\":\"m\"}", "id", "expected a non-empty string or an integer, got number")]
    [InlineData("{\"id\":\"x\",\"text\":\"\",\"desired\":\"a\",\"harmful\":\"m\"}", "text", "expected a non-empty string, got an empty string")]
    [InlineData("{\"id\":\"x\",\"text\":\" \\t\\n \",\"desired\":\"a\",\"harmful\":\"m\"}", "text", "expected a non-empty string, got only whitespace")]
    [InlineData("{\"id\":\"x\",\"text\":\"t\",\"desired\":\"nurse \",\"harmful\":\"m\"}", "desired", "'nurse ' has leading or trailing whitespace")]
    [InlineData("{\"id\":\"x\",\"text\":\"t\",\"desired\":\"a\",\"desired\":\"b\",\"harmful\":\"m\"}", "desired", "field appears more than once")]
    public void Field_problems_name_line_and_field(string line, string field, string message)
    {
        var path = JsonlWith("bad.jsonl", 5, (4, line));

        var ex = LoadFails(path);

        ex.LineNumber.Should().Be(4);
        ex.Field.Should().Be(field);
        ex.Message.Should().StartWith($"{path}:4: field '{field}': {message}");
    }

    [Theory]
    [InlineData("{\"id\":\"x\",\"text\":\"t\",", "malformed JSON")]
    [InlineData("not json at all", "malformed JSON at byte 2")]
    [InlineData("x", "malformed JSON at byte 1")]
    [InlineData("{\"id\":\"x\"} {\"id\":\"y\"}", "malformed JSON")]
    [InlineData("[1, 2, 3]", "expected a JSON object, got array")]
    [InlineData("\"just a string\"", "expected a JSON object, got string")]
    public void Malformed_lines_are_reported_without_a_field(string line, string message)
    {
        var path = JsonlWith("bad.jsonl", 6, (2, line));

        var ex = LoadFails(path);

        ex.LineNumber.Should().Be(2);
        ex.Field.Should().BeNull();
        ex.Message.Should().StartWith($"{path}:2: {message}");
        ex.Message.Should().NotContain("LineNumber: 0", "the parser's one-line position would contradict the file line");
    }

    [Fact]
    public void Deeply_nested_json_is_rejected_not_recursed_into()
    {
        var nested = new string('[', 100_000) + new string(']', 100_000);
        var path = JsonlWith("deep.jsonl", 3, (2, $"{{\"id\":\"x\",\"text\":{nested}}}"));

        var ex = LoadFails(path);

        ex.LineNumber.Should().Be(2);
        ex.Message.Should().Contain("malformed JSON").And.Contain("depth");
    }

    [Fact]
    public void Unknown_labels_are_reported_when_allowed_sets_are_given()
    {
        var path = JsonlWith("labels.jsonl", 4, (3, "{\"id\":\"x\",\"text\":\"t\",\"desired\":\"nurse\",\"harmful\":\"unknown\"}"));
        var options = new DatasetLoadOptions { AllowedDesiredLabels = ["nurse"], AllowedHarmfulLabels = ["female", "male"] };

        var ex = LoadFails(path, options);

        ex.LineNumber.Should().Be(3);
        ex.Field.Should().Be("harmful");
        ex.Message.Should().Be($"{path}:3: field 'harmful': unknown label 'unknown' (expected one of 'female', 'male')");
    }

    [Fact]
    public void Duplicate_ids_name_both_lines()
    {
        var path = JsonlWith("dup.jsonl", 9, (8, Good(3)));

        var ex = LoadFails(path);

        ex.LineNumber.Should().Be(8);
        ex.Field.Should().Be("id");
        ex.Message.Should().Be($"{path}:8: field 'id': duplicate id 'e3' (first used on line 3)");
    }

    [Fact]
    public void Generated_ids_can_collide_with_explicit_ones_and_are_reported()
    {
        var path = _dir.Write("mixed.jsonl",
            "{\"id\":\"line-2\",\"text\":\"t\",\"desired\":\"a\",\"harmful\":\"m\"}\n{\"text\":\"u\",\"desired\":\"a\",\"harmful\":\"m\"}\n");

        var ex = LoadFails(path);

        ex.LineNumber.Should().Be(2);
        ex.Message.Should().Contain("duplicate id 'line-2' (first used on line 1)");
    }

    [Theory]
    [InlineData("empty.jsonl", "")]
    [InlineData("blank.jsonl", "\n  \n\n")]
    [InlineData("empty.csv", "")]
    [InlineData("header-only.csv", "id,text,desired,harmful\n")]
    public void A_file_without_examples_is_an_error(string name, string content)
    {
        var path = _dir.Write(name, content);

        var ex = LoadFails(path);

        ex.LineNumber.Should().BeNull();
        ex.Field.Should().BeNull();
        ex.Message.Should().Be($"{path}: the file holds no examples");
    }

    [Fact]
    public void A_missing_file_is_a_dataset_error()
    {
        var path = _dir.File("nowhere.jsonl");

        var ex = LoadFails(path);

        ex.LineNumber.Should().BeNull();
        ex.Message.Should().Be($"{path}: file does not exist");
        ex.InnerException.Should().BeAssignableTo<IOException>();
    }

    [Fact]
    public void A_directory_is_a_dataset_error()
    {
        Directory.CreateDirectory(_dir.File("folder.jsonl"));
        LoadFails(_dir.File("folder.jsonl")).Message.Should().Contain("is a directory");
    }

    [Fact]
    public void Overlong_text_is_reported_against_the_text_limit()
    {
        var text = new string('x', 100_001);
        var path = JsonlWith("long.jsonl", 3, (2, $"{{\"id\":\"x\",\"text\":\"{text}\",\"desired\":\"a\",\"harmful\":\"m\"}}"));

        var ex = LoadFails(path);

        ex.LineNumber.Should().Be(2);
        ex.Field.Should().Be("text");
        ex.Message.Should().Contain("text is 100001 characters long; the limit is 100000");
    }

    [Fact]
    public void An_overlong_line_is_skipped_in_bounded_memory_and_later_lines_keep_their_numbers()
    {
        // 8 MiB without a newline, far beyond the default bound of about 640 KB.
        var hostile = new byte[8 << 20];
        hostile.AsSpan().Fill((byte)'a');
        var content = new List<byte>();
        content.AddRange(Encoding.UTF8.GetBytes(Good(1) + "\n"));
        content.AddRange(hostile);
        content.AddRange(Encoding.UTF8.GetBytes("\n" + Good(3) + "\n{\"id\":\"e4\",\"text\":5,\"desired\":\"a\",\"harmful\":\"m\"}\n"));
        var path = _dir.WriteBytes("hostile.jsonl", [.. content]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = LoadFails(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        ex.Errors.Select(e => (e.LineNumber, e.Field)).Should().Equal((2L, (string?)null), (4L, "text"));
        ex.Errors[0].Message.Should().Contain("longer than the configured limit");
        allocated.Should().BeLessThan(4L << 20, "the overlong line must not be buffered whole");
    }

    [Fact]
    public void The_line_limit_stops_reading()
    {
        var path = JsonlWith("many.jsonl", 10);

        var ex = LoadFails(path, new DatasetLoadOptions { MaxLines = 5 });

        ex.LineNumber.Should().Be(6);
        ex.Message.Should().Contain("more than 5 lines");
    }

    [Fact]
    public void Invalid_utf8_is_reported_on_its_own_line()
    {
        var content = new List<byte>();
        content.AddRange(Encoding.UTF8.GetBytes(Good(1) + "\n" + Good(2) + "\n"));
        content.AddRange(Encoding.UTF8.GetBytes("{\"id\":\"x\",\"text\":\"caf"));
        content.AddRange(new byte[] { 0xC3, 0x28 }); // a lead byte followed by a non-continuation byte
        content.AddRange(Encoding.UTF8.GetBytes("\",\"desired\":\"a\",\"harmful\":\"m\"}\n" + Good(4) + "\n"));
        var path = _dir.WriteBytes("latin.jsonl", [.. content]);

        var ex = LoadFails(path);

        ex.LineNumber.Should().Be(3);
        ex.Message.Should().Contain("not valid UTF-8");
    }

    [Fact]
    public void Several_problems_are_collected_into_one_exception()
    {
        var path = JsonlWith("several.jsonl", 10,
            (2, "{oops"),
            (5, "{\"id\":\"x\",\"text\":\"t\",\"harmful\":\"m\"}"),
            (9, "{\"id\":\"y\",\"text\":\"t\",\"desired\":\"a\",\"harmful\":7}"));

        var ex = LoadFails(path);

        ex.Errors.Select(e => (e.LineNumber, e.Field)).Should().Equal((2L, (string?)null), (5L, "desired"), (9L, "harmful"));
        ex.LineNumber.Should().Be(2, "the properties describe the first error");
        ex.MayHaveMore.Should().BeFalse();
        ex.Message.Split('\n').Should().HaveCount(4).And.Contain(l => l.StartsWith($"{path}:5: field 'desired': missing"));
    }

    [Fact]
    public void Errors_of_one_line_are_listed_in_schema_order()
    {
        var path = JsonlWith("order.jsonl", 3, (2, "{\"id\":\"e1\",\"text\":\"  \",\"desired\":3}"));

        var ex = LoadFails(path);

        ex.Errors.Select(e => e.Field).Should().Equal("id", "text", "desired", "harmful");
        ex.Field.Should().Be("id");
        ex.Errors[0].Message.Should().Be("duplicate id 'e1' (first used on line 1)");
    }

    [Fact]
    public void Collection_stops_at_the_error_cap()
    {
        var bad = Enumerable.Range(1, 50).Select(i => (i, "{}")).ToArray();
        var path = JsonlWith("cap.jsonl", 50, bad);

        var ex = LoadFails(path);

        ex.Errors.Should().HaveCount(20);
        ex.MayHaveMore.Should().BeTrue();
        ex.Message.Should().Contain("reading stopped there");
    }

    [Fact]
    public void Invalid_options_are_rejected_before_reading()
    {
        var path = JsonlWith("ok.jsonl", 2);
        var act = () => DatasetLoader.Load(path, new DatasetLoadOptions { MaxTextLength = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>();
        var schema = () => DatasetLoader.Load(path, new DatasetLoadOptions { Schema = new DatasetSchema { Desired = "text" } });
        schema.Should().Throw<MlacInputException>().WithMessage("*distinct*");
    }
}
