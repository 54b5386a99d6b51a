using System.Text;
using MlacRelease.Core.Data;
using MlacRelease.Common.IO;

namespace MlacRelease.Core.Tests.Data;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Writes_replace_the_file_and_leave_no_temporary_behind()
    {
        var path = _dir.File("nested/out.txt");

        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second – ü");

        File.ReadAllBytes(path).Should().Equal(Encoding.UTF8.GetBytes("second – ü"), "UTF-8 without a byte order mark");
        Directory.GetFiles(_dir.File("nested")).Should().ContainSingle();
    }

    [Fact]
    public void A_failing_writer_leaves_the_old_content_and_no_temporary()
    {
        var path = _dir.File("keep.bin");
        AtomicFile.WriteAllBytes(path, new byte[] { 1, 2, 3 });

        var act = () => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[] { 9, 9 });
            throw new InvalidOperationException("disk full");
        });

        act.Should().Throw<InvalidOperationException>();
        File.ReadAllBytes(path).Should().Equal(1, 2, 3);
        Directory.GetFiles(_dir.Path).Should().ContainSingle();
    }

    [Fact]
    public void Jsonl_writer_uses_the_schema_and_one_line_per_example()
    {
        var path = _dir.File("out.jsonl");
        var schema = new DatasetSchema { Text = "bio", Desired = "job", Harmful = "sex" };
        Example[] examples = [new("a", "Zoë said \"hi\"\nthen left.", "poet", "female"), new("b", "<b>&</b>", "dj", "male")];

        JsonlWriter.Write(path, examples, schema).Should().Be(2);

        var lines = File.ReadAllLines(path);
        lines.Should().HaveCount(2);
        lines[0].Should().Be("{\"id\":\"a\",\"bio\":\"Zoë said \\\"hi\\\"\\nthen left.\",\"job\":\"poet\",\"sex\":\"female\"}");
        DatasetLoader.Load(path, new DatasetLoadOptions { Schema = schema }).Examples.Should().Equal(examples);
    }
}
