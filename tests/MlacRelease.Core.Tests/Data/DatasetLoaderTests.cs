using System.Text;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;

namespace MlacRelease.Core.Tests.Data;

public sealed class DatasetLoaderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    // The same four rows, with a comma, a quote, a newline and non-ASCII text, written both ways.
    private const string Jsonl =
        """
        {"id": "a1", "text": "Ann is a nurse, based in Boston.", "desired": "nurse", "harmful": "female"}
        {"harmful": "male", "desired": "surgeon", "id": "a2", "text": "He said \"hello\"."}
        {"id": "a3", "text": "Line one\nline two", "desired": "nurse", "harmful": "male"}

        {"id":"a4","text":"Zoë works in Montréal — café owner.","desired":"poet","harmful":"female","extra":[1,2]}
        """;

    private const string Csv =
        "harmful,id,text,desired\r\n" +
        "female,a1,\"Ann is a nurse, based in Boston.\",nurse\r\n" +
        "male,a2,\"He said \"\"hello\"\".\",surgeon\r\n" +
        "male,a3,\"Line one\r\nline two\",nurse\r\n" +
        "female,a4,Zoë works in Montréal — café owner.,poet\r\n";

    [Fact]
    public void Jsonl_and_csv_of_the_same_rows_give_equal_examples_and_digests()
    {
        var fromJsonl = DatasetLoader.Load(_dir.Write("bios.jsonl", Jsonl));
        var fromCsv = DatasetLoader.Load(_dir.Write("bios.csv", Csv));

        fromJsonl.Examples.Should().Equal(fromCsv.Examples);
        fromJsonl.Digest.Should().Be(fromCsv.Digest).And.MatchRegex("^sha256:[0-9a-f]{64}$");
        fromJsonl.Examples.Should().HaveCount(4);
        fromJsonl.Examples[1].Text.Should().Be("He said \"hello\".");
        fromJsonl.Examples[2].Text.Should().Be("Line one\nline two");
    }

    [Fact]
    public void Labels_are_sorted_distinct_and_indexed()
    {
        var data = DatasetLoader.Load(_dir.Write("bios.jsonl", Jsonl));

        data.DesiredLabels.Should().Equal("nurse", "poet", "surgeon");
        data.HarmfulLabels.Should().Equal("female", "male");
        data.DesiredLabelIndex["surgeon"].Should().Be(2);
        data.HarmfulIndexOf(data.Examples[1]).Should().Be(1);
        data.Source.Should().EndWith("bios.jsonl");
    }

    [Fact]
    public void Digest_ignores_row_order_and_field_order_but_not_content()
    {
        var lines = Jsonl.Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        var reversed = DatasetLoader.Load(_dir.Write("reversed.jsonl", string.Join("\n", lines.Reverse())));
        var original = DatasetLoader.Load(_dir.Write("bios.jsonl", Jsonl));
        var changed = DatasetLoader.Load(_dir.Write("changed.jsonl", Jsonl.Replace("based in Boston", "based in Denver")));

        reversed.Digest.Should().Be(original.Digest);
        changed.Digest.Should().NotBe(original.Digest);
    }

    [Fact]
    public void Digest_is_unambiguous_about_field_boundaries()
    {
        var a = Dataset.Create([new Example("1", "ab", "c", "d")]);
        var b = Dataset.Create([new Example("1", "a", "bc", "d")]);
        a.Digest.Should().NotBe(b.Digest);
    }

    [Fact]
    public void Missing_ids_are_numbered_by_record_so_both_formats_agree()
    {
        var jsonl = _dir.Write("noid.jsonl",
            "{\"text\":\"t1\",\"desired\":\"x\",\"harmful\":\"f\"}\n\n{\"text\":\"t2\",\"desired\":\"y\",\"harmful\":\"m\"}\n");
        var csv = _dir.Write("noid.csv", "text,desired,harmful\nt1,x,f\nt2,y,m\n");

        var fromJsonl = DatasetLoader.Load(jsonl);
        fromJsonl.Examples.Select(e => e.Id).Should().Equal("line-1", "line-2");
        DatasetLoader.Load(csv).Digest.Should().Be(fromJsonl.Digest);
    }

    [Fact]
    public void Integer_ids_are_accepted_as_their_digits()
    {
        var data = DatasetLoader.Load(_dir.Write("ids.jsonl", "{\"id\":42,\"text\":\"t\",\"desired\":\"x\",\"harmful\":\"f\"}\n"));
        data.Examples[0].Id.Should().Be("42");
    }

    [Fact]
    public void Custom_schema_names_are_honoured()
    {
        var options = new DatasetLoadOptions
        {
            Schema = new DatasetSchema { Id = "uid", Text = "bio", Desired = "profession", Harmful = "gender" },
        };
        var path = _dir.Write("custom.csv", "uid,bio,profession,gender\nu1,Some bio.,dentist,male\n");

        var data = DatasetLoader.Load(path, options);

        data.Examples.Should().Equal(new Example("u1", "Some bio.", "dentist", "male"));
    }

    [Fact]
    public void Byte_order_mark_and_crlf_are_tolerated()
    {
        var bom = new byte[] { 0xEF, 0xBB, 0xBF };
        var jsonl = _dir.WriteBytes("bom.jsonl", [.. bom, .. Encoding.UTF8.GetBytes("{\"id\":\"a\",\"text\":\"t\",\"desired\":\"x\",\"harmful\":\"f\"}\r\n")]);
        var csv = _dir.WriteBytes("bom.csv", [.. bom, .. Encoding.UTF8.GetBytes("id,text,desired,harmful\r\na,t,x,f\r\n")]);

        DatasetLoader.Load(jsonl).Digest.Should().Be(DatasetLoader.Load(csv).Digest);
        DatasetLoader.Load(csv).Examples[0].Should().Be(new Example("a", "t", "x", "f"));
    }

    [Fact]
    public void Explicit_format_overrides_the_extension()
    {
        var path = _dir.Write("data.txt", "id,text,desired,harmful\na,t,x,f\n");

        var act = () => DatasetLoader.Load(path);
        act.Should().Throw<DatasetFormatException>().WithMessage("*cannot tell the format*");

        DatasetLoader.Load(path, new DatasetLoadOptions { Format = DatasetFileFormat.Csv }).Count.Should().Be(1);
    }

    [Fact]
    public void Stream_overload_infers_format_from_the_source_name()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Csv));
        var data = DatasetLoader.Load(stream, "memory.csv");
        data.Count.Should().Be(4);
        data.Source.Should().Be("memory.csv");
    }

    [Fact]
    public void Allowed_label_sets_accept_known_labels()
    {
        var options = new DatasetLoadOptions
        {
            AllowedDesiredLabels = ["nurse", "poet", "surgeon", "teacher"],
            AllowedHarmfulLabels = ["female", "male"],
        };
        DatasetLoader.Load(_dir.Write("bios.jsonl", Jsonl), options).Count.Should().Be(4);
    }

    [Fact]
    public void Dataset_create_rejects_duplicates_and_empty_input()
    {
        var duplicate = () => Dataset.Create([new Example("1", "a", "x", "f"), new Example("1", "b", "x", "f")]);
        duplicate.Should().Throw<ArgumentException>().WithMessage("*Duplicate*'1'*");
        var empty = () => Dataset.Create([]);
        empty.Should().Throw<MlacInputException>();
    }
}
