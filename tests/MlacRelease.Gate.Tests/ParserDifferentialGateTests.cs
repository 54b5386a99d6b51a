using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MlacRelease.Common.Errors;
using MlacRelease.Common.Release;
using MlacRelease.Inference;

namespace MlacRelease.Gate.Tests;

/// <summary>
/// The gate checks model.onnx as Google.Protobuf parses it; consumers run what ONNX Runtime makes of the same bytes.
/// Protobuf keeps the last value of a repeated field, so bytes put before the certified model's own change nothing
/// for the gate's parser, yet ONNX Runtime, given a model's bytes (our inference, the gate's parity check,
/// transformers.js), runs them as an ORT-format flatbuffer when bytes 4 … 8 are "ORTM". Only the canonical encoding
/// of the checked message may pass.
/// </summary>
[Collection(GateCollection.Name)]
public sealed class ParserDifferentialGateTests(GateFixture f)
{
    [Fact]
    public void A_model_onnx_that_onnx_runtime_reads_as_an_ort_format_model_fails_the_structure_check()
    {
        var certified = File.ReadAllBytes(Path.Combine(f.Release, ReleaseFileNames.Model));
        // ir_version = 0 and doc_string = "ORTM", both read again (and so overwritten) in the certified bytes after them.
        byte[] polyglot = [0x08, 0x00, 0x32, 0x04, .. "ORTM"u8, .. certified];
        Onnx.ModelProto.Parser.ParseFrom(polyglot).Should().Be(Onnx.ModelProto.Parser.ParseFrom(certified), "protobuf reads the certified model");
        ((Action)(() => new InferenceSession(polyglot).Dispose())).Should().Throw<OnnxRuntimeException>()
            .WithMessage("*ORT*", "ONNX Runtime reads the same bytes as an ORT-format model; a valid flatbuffer there would run instead");

        var release = GateAttackTests.Tampered(f, "ort-marker", folder => File.WriteAllBytes(Path.Combine(folder, ReleaseFileNames.Model), polyglot));
        GateAttackTests.ShouldFailAt(ReleaseGate.Evaluate(release, f.Policy, f.PublicKey), "graph structure", "canonical");
        ((Action)(() => EncoderSession.Open(release, f.PublicKey))).Should().Throw<MlacInputException>().WithMessage("*canonical*");
    }

    [Fact]
    public void A_certified_model_with_a_field_repeated_before_it_fails_the_structure_check()
    {
        // The same trick without the marker: any bytes can ride in a field the parser overwrites later.
        var certified = File.ReadAllBytes(Path.Combine(f.Release, ReleaseFileNames.Model));
        var hidden = new Onnx.ModelProto { DocString = "anything at all, unchecked" }.ToByteArray();
        byte[] padded = [.. hidden, .. certified];
        Onnx.ModelProto.Parser.ParseFrom(padded).Should().Be(Onnx.ModelProto.Parser.ParseFrom(certified));
        var release = GateAttackTests.Tampered(f, "repeated-field", folder => File.WriteAllBytes(Path.Combine(folder, ReleaseFileNames.Model), padded));
        GateAttackTests.ShouldFailAt(ReleaseGate.Evaluate(release, f.Policy, f.PublicKey), "graph structure", "canonical");
    }
}
