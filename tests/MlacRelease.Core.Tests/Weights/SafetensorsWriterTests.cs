using System.Buffers;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

public class SafetensorsWriterTests
{
    [Fact]
    public void Leaves_only_the_target_file_behind()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");

        SafetensorsWriter.Write(path, SafetensorsBytes.SampleTensors());
        SafetensorsWriter.Write(path, SafetensorsBytes.SampleTensors().Take(2));

        folder.Names().Should().Equal("model.safetensors");
        SafetensorsReader.Read(path).Tensors.Should().HaveCount(2, "the second write replaced the first");
    }

    [Fact]
    public void A_throwing_enumerable_leaves_the_previous_file_intact()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        SafetensorsWriter.Write(path, SafetensorsBytes.SampleTensors());
        byte[] before = File.ReadAllBytes(path);

        FluentActions.Invoking(() => SafetensorsWriter.Write(path, Throwing()))
            .Should().Throw<InvalidOperationException>().WithMessage("source failed");

        File.ReadAllBytes(path).Should().Equal(before);
        folder.Names().Should().Equal("model.safetensors");

        static IEnumerable<TensorRecord> Throwing()
        {
            yield return SafetensorsBytes.Tensor("a", TensorDType.F32, [4]);
            throw new InvalidOperationException("source failed");
        }
    }

    [Fact]
    public void A_failure_while_writing_data_leaves_the_previous_file_intact_and_no_temp_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        SafetensorsWriter.Write(path, SafetensorsBytes.SampleTensors());
        byte[] before = File.ReadAllBytes(path);
        string[]? filesWhenItFailed = null;
        using var failing = new FailingMemory(64, onFail: () => filesWhenItFailed = folder.Names());
        TensorRecord[] tensors =
        [
            SafetensorsBytes.Tensor("a.first", TensorDType.U8, [1 << 17]),
            new TensorRecord("z.last", TensorDType.F32, [16], failing.Memory),
        ];

        FluentActions.Invoking(() => SafetensorsWriter.Write(path, tensors))
            .Should().Throw<IOException>().WithMessage("disk on fire");

        filesWhenItFailed.Should().HaveCount(2, "the failure must really happen midway, with the temp file open")
            .And.Contain("model.safetensors");
        File.ReadAllBytes(path).Should().Equal(before);
        folder.Names().Should().Equal("model.safetensors");
    }

    [Fact]
    public void Writes_into_a_new_file_and_rejects_a_missing_folder()
    {
        using var folder = new TempFolder();

        SafetensorsWriter.Write(folder.File("new.safetensors"), []);

        folder.Names().Should().Equal("new.safetensors");
        FluentActions.Invoking(() => SafetensorsWriter.Write(Path.Combine(folder.Path, "missing", "x.safetensors"), []))
            .Should().Throw<DirectoryNotFoundException>();
    }

    [Fact]
    public void Rejects_duplicate_names_reserved_names_and_nulls()
    {
        TensorRecord a = SafetensorsBytes.Tensor("a", TensorDType.U8, [1]);

        FluentActions.Invoking(() => SafetensorsWriter.WriteToArray([a, SafetensorsBytes.Tensor("a", TensorDType.F32, [1])]))
            .Should().Throw<ArgumentException>().WithMessage("Two tensors are named 'a'.*");
        FluentActions.Invoking(() => SafetensorsWriter.WriteToArray([SafetensorsBytes.Tensor("__metadata__", TensorDType.U8, [1])]))
            .Should().Throw<ArgumentException>().WithMessage("*reserved*");
        FluentActions.Invoking(() => SafetensorsWriter.WriteToArray([a, null!]))
            .Should().Throw<ArgumentException>().WithMessage("A tensor is null.*");
        FluentActions.Invoking(() => SafetensorsWriter.WriteToArray([a], new Dictionary<string, string> { ["k"] = null! }))
            .Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => SafetensorsWriter.WriteToArray([a], new Dictionary<string, string> { ["k"] = "\ud800" }))
            .Should().Throw<ArgumentException>().WithMessage("*unpaired UTF-16 surrogate*");
    }

    [Fact]
    public void Duplicate_names_leave_the_previous_file_intact()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        SafetensorsWriter.Write(path, SafetensorsBytes.SampleTensors());
        byte[] before = File.ReadAllBytes(path);
        TensorRecord a = SafetensorsBytes.Tensor("a", TensorDType.U8, [1]);

        FluentActions.Invoking(() => SafetensorsWriter.Write(path, [a, a])).Should().Throw<ArgumentException>();

        File.ReadAllBytes(path).Should().Equal(before);
        folder.Names().Should().Equal("model.safetensors");
    }

    /// <summary>Memory whose bytes cannot be fetched: the failure arrives only when the writer reaches this tensor's data.</summary>
    private sealed class FailingMemory(int length, Action onFail) : MemoryManager<byte>
    {
        // CreateMemory does not call GetSpan, so building the record (which only checks Length) succeeds.
        public override Memory<byte> Memory => CreateMemory(length);

        public override Span<byte> GetSpan()
        {
            onFail();
            throw new IOException("disk on fire");
        }

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
