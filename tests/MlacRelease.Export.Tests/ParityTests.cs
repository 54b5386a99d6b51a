using Microsoft.ML.OnnxRuntime;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Export.Validation;
using Xunit.Abstractions;

namespace MlacRelease.Export.Tests;

/// <summary>Our export of MiniLM computes what the TorchSharp encoder computes and what the original PyTorch export computes.</summary>
[Collection(ExportCollection.Name)]
public sealed class ParityTests(ExportFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Export_matches_the_TorchSharp_encoder_on_varied_sentences_and_batch_sizes()
    {
        var sentences = Sentences.Varied();
        sentences.Count.Should().BeGreaterThanOrEqualTo(64);
        var report = OnnxParityValidator.Validate(fixture.Weights, fixture.FullExportPath, options: new ParityOptions
        {
            BatchSizes = [1, 4, 9],
            SequenceLengths = [3, 26],
            Texts = sentences,
            Tokenizer = fixture.Tokenizer,
        });
        output.WriteLine($"our export vs TorchSharp (MiniLM, 6 layers): {report.Summary()}");
        report.Cases.Select(c => c.BatchSize).Distinct().Should().HaveCountGreaterThanOrEqualTo(3);
        report.Passed.Should().BeTrue();
        report.MaxAbsDiff.Should().BeLessThanOrEqualTo(1e-4);
    }

    [Fact]
    public void Export_matches_the_original_MiniLM_export_on_identical_inputs()
    {
        var sentences = Sentences.Varied();
        using var options = new SessionOptions();
        using var ours = new InferenceSession(fixture.FullExportPath, options);
        using var theirs = new InferenceSession(fixture.OriginalOnnx, options);
        double worstHidden = 0, worstPooled = 0;
        int[] sizes = [1, 5, 16];
        var batches = 0;
        for (int index = 0, b = 0; index < sentences.Count; b++, batches++)
        {
            var size = Math.Min(sizes[b % sizes.Length], sentences.Count - index);
            var batch = fixture.Tokenizer.EncodeBatch(sentences.Skip(index).Take(size).ToList());
            index += size;
            var a = OrtRunner.Run(ours, batch);
            var t = OrtRunner.Run(theirs, batch);
            a[0].Shape.Should().Equal(t[0].Shape);
            a[1].Shape.Should().Equal(t[1].Shape);
            worstHidden = Math.Max(worstHidden, OrtRunner.MaxAbsDiff(a[0].Values, t[0].Values));
            worstPooled = Math.Max(worstPooled, OrtRunner.MaxAbsDiff(a[1].Values, t[1].Values));
        }
        output.WriteLine($"our export vs original MiniLM model.onnx: {sentences.Count} sentences in {batches} batches (sizes 1, 5, 16): "
            + $"max |Δ| last_hidden_state {worstHidden:E3}, pooler_output {worstPooled:E3}");
        worstHidden.Should().BeLessThanOrEqualTo(1e-4);
        worstPooled.Should().BeLessThanOrEqualTo(1e-4);
    }
}
