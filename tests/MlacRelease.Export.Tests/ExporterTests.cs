using MlacRelease.Common.Errors;
using MlacRelease.Core.Numerics;
using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Release;
using MlacRelease.Export.Validation;
using MlacRelease.Inference;
using TorchSharp;
using Xunit.Abstractions;

namespace MlacRelease.Export.Tests;

/// <summary>The exporter's input checks, external data, and the validator failing loudly.</summary>
[Collection(ExportCollection.Name)]
public sealed class ExporterTests(ExportFixture fixture, ITestOutputHelper output)
{
    private static readonly EncoderConfig Tiny = new()
    {
        VocabSize = 120, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 48, MaxPositionEmbeddings = 64,
    };

    [Fact]
    public void Tensors_over_the_threshold_go_to_external_data_that_ONNX_Runtime_and_the_checker_read()
    {
        using var weights = EncoderWeights.RandomInit(Tiny, seed: 11);
        var path = Path.Combine(fixture.Folder, $"external-{Guid.NewGuid():N}.onnx");
        var result = EncoderOnnxExporter.Save(weights, path, new OnnxExportOptions { ExternalDataThresholdBytes = 0, Tokenizer = new() { MaxLength = 64 } });
        result.ExternalDataPath.Should().Be(path + ".data");
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var large = model.Graph.Initializer.Where(t => t.Dims.Aggregate(1L, (a, b) => a * b) * 4 >= 1024).ToList();
        large.Should().NotBeEmpty().And.OnlyContain(t => t.DataLocation == global::Onnx.TensorProto.Types.DataLocation.External && t.RawData.IsEmpty);
        new FileInfo(result.ExternalDataPath!).Length.Should().BeGreaterThanOrEqualTo(large.Sum(t => t.Dims.Aggregate(4L, (a, b) => a * b)));
        new FileInfo(path).Length.Should().BeLessThan(result.TensorBytes / 2, "the tensors live in the data file");
        var report = OnnxParityValidator.Validate(weights, path, options: new ParityOptions { BatchSizes = [2], SequenceLengths = [9] });
        report.Passed.Should().BeTrue(report.Summary());
        OnnxChecker.Run(path).ExitCode.Should().Be(0);
    }

    [Fact]
    public void A_release_with_external_data_pins_the_data_file_and_loads()
    {
        using var weights = EncoderWeights.RandomInit(Tiny with { VocabSize = 30522 }, seed: 12);
        var folder = Path.Combine(fixture.Folder, $"release-external-{Guid.NewGuid():N}");
        var result = ReleaseWriter.Write(folder, weights, new ReleaseOptions
        {
            Vocabulary = fixture.Vocabulary,
            Onnx = new OnnxExportOptions { Tokenizer = new() { MaxLength = 64 }, ExternalDataThresholdBytes = 0 },
            Parity = new ParityOptions { BatchSizes = [2], SequenceLengths = [5] },
        });
        result.Manifest.Find(ReleaseFileNames.ModelExternalData).Should().NotBeNull();
        fixture.Sign(folder);
        using (var session = EncoderSession.Open(folder, fixture.PublicKey))
        {
            session.Embed("external data").Should().HaveCount(32);
        }
        var data = Path.Combine(folder, ReleaseFileNames.ModelExternalData);
        var bytes = File.ReadAllBytes(data);
        bytes[^1] ^= 0x10;
        File.WriteAllBytes(data, bytes);
        ((Action)(() => EncoderSession.Open(folder, fixture.PublicKey))).Should().Throw<ReleaseIntegrityException>().Where(e => e.FileName == ReleaseFileNames.ModelExternalData);
    }

    [Fact]
    public void Without_external_data_a_model_over_the_protobuf_limit_is_a_clear_error()
    {
        // A 2 GiB model is too big for a test; the decision is checked on its own.
        OnnxExternalData.NeedsExternalData(3_000_000_000, long.MaxValue, "big.onnx", out var error).Should().BeFalse();
        error.Should().Contain("big.onnx").And.Contain("2 GiB").And.Contain("external data is disabled");
        OnnxExternalData.NeedsExternalData(3_000_000_000, OnnxExportOptions.DefaultExternalDataThresholdBytes, "big.onnx", out error).Should().BeTrue();
        error.Should().BeNull();
        OnnxExternalData.NeedsExternalData(1_000, OnnxExportOptions.DefaultExternalDataThresholdBytes, "small.onnx", out error).Should().BeFalse();
        error.Should().BeNull();
    }

    [Fact]
    public void Bad_inputs_are_refused_with_clear_messages()
    {
        using var doubles = EncoderWeights.RandomInit(Tiny, seed: 2, dtype: torch.ScalarType.Float64);
        ((Action)(() => EncoderOnnxExporter.Build(doubles, new() { Tokenizer = new() { MaxLength = 64 } })))
            .Should().Throw<MlacInputException>().WithMessage("*float32*Float64*");

        using var weights = EncoderWeights.RandomInit(Tiny, seed: 2);
        ((Action)(() => EncoderOnnxExporter.Build(weights)))
            .Should().Throw<MlacInputException>().WithMessage("*max_length 128 exceeds*max_position_embeddings 64*");

        using var wrongWidth = torch.zeros(3, 31);
        ((Action)(() => EncoderOnnxExporter.Build(weights, new() { Tokenizer = new() { MaxLength = 64 }, Head = new ClassificationHead(wrongWidth) })))
            .Should().Throw<MlacInputException>().WithMessage("*classifier weight is [3, 31]*[classes, 32]*");

        using var head = torch.zeros(3, 32);
        using var bias = torch.zeros(4);
        ((Action)(() => new ClassificationHead(head, bias))).Should().Throw<MlacInputException>().WithMessage("*bias must be [3]*");
        ((Action)(() => new ClassificationHead(head, labels: ["a", "b"]))).Should().Throw<MlacInputException>().WithMessage("*2 label names for 3 classes*");

        ((Action)(() => EncoderOnnxExporter.Build(weights, new() { Tokenizer = new() { MaxLength = 64 }, CertificateDigest = "md5:abc" })))
            .Should().Throw<ArgumentException>().WithMessage("*certificate digest*");
    }

    [Fact]
    public void The_validator_fails_with_a_message_naming_the_output_and_the_difference()
    {
        using var weights = EncoderWeights.RandomInit(Tiny, seed: 4);
        var path = Path.Combine(fixture.Folder, $"validator-{Guid.NewGuid():N}.onnx");
        EncoderOnnxExporter.Save(weights, path, new OnnxExportOptions { Tokenizer = new() { MaxLength = 64 } });
        using var changed = weights.Clone();
        using (torch.no_grad()) HeldScalars.With(1e-3f, s => changed["pooler.dense.bias"].add_(s));

        var validate = () => OnnxParityValidator.Validate(changed, path, options: new ParityOptions { BatchSizes = [1, 2], SequenceLengths = [4, 11] });
        var error = validate.Should().Throw<ParityException>().Which;
        output.WriteLine(error.Message);
        error.Message.Should().Contain("pooler_output").And.Contain("tolerance 1.0E-004");
        error.Report!.MaxAbsDiffOf(OnnxIoNames.LastHiddenState).Should().BeLessThan(1e-5, "only the pooler was changed");

        var head = () => OnnxParityValidator.Validate(weights, path, new ClassificationHead(torch.zeros(2, 32)));
        head.Should().Throw<ParityException>().WithMessage("*outputs are [last_hidden_state, pooler_output]; expected [last_hidden_state, pooler_output, logits]*");
    }

    [Fact]
    public void The_ORT_fused_flavor_matches_the_TorchSharp_encoder()
    {
        var path = Path.Combine(fixture.Folder, $"fused-parity-{Guid.NewGuid():N}.onnx");
        EncoderOnnxExporter.Save(fixture.TwoLayers, path, new OnnxExportOptions { Flavor = OnnxGraphFlavor.OnnxRuntimeFused, Head = fixture.Head });
        var report = OnnxParityValidator.Validate(fixture.TwoLayers, path, fixture.Head, new ParityOptions
        {
            BatchSizes = [1, 3, 8], SequenceLengths = [6, 33], Texts = Sentences.Varied().Take(24).ToList(), Tokenizer = fixture.Tokenizer,
        });
        output.WriteLine($"ORT-fused flavor vs TorchSharp (2 layers + head): {report.Summary()}");
        report.Passed.Should().BeTrue();
    }
}
