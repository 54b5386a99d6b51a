using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using Onnx;
using Google.Protobuf;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Tests.Model;

[Collection(MiniLmCollection.Name)]
public sealed class OnnxBertImporterTests(MiniLmFixture miniLm)
{
    [Fact]
    public void Infers_the_MiniLM_configuration_from_the_graph()
    {
        var config = miniLm.Weights.Config;
        config.VocabSize.Should().Be(30522);
        config.HiddenSize.Should().Be(384);
        config.NumHiddenLayers.Should().Be(6);
        config.NumAttentionHeads.Should().Be(12);
        config.IntermediateSize.Should().Be(1536);
        config.MaxPositionEmbeddings.Should().Be(512);
        config.TypeVocabSize.Should().Be(2);
        config.LayerNormEps.Should().BeApproximately(1e-12, 1e-18);
        config.HiddenAct.Should().Be("gelu");
        miniLm.Weights.ParameterCount.Should().Be(22_713_216, "all-MiniLM-L6-v2 has 22.7 M parameters");
    }

    [Fact]
    public void Recovers_renamed_matmul_weights_transposed()
    {
        // In the export, the query projection of layer 0 is "927" = Wᵀ, consumed by MatMul then Add(query.bias).
        var model = ModelProto.Parser.ParseFrom(miniLm.OnnxBytes);
        var matmul = model.Graph.Node.First(n => n.OpType == "MatMul" && model.Graph.Node.Any(a => a.OpType == "Add"
            && a.Input.Contains(n.Output[0]) && a.Input.Contains("encoder.layer.0.attention.self.query.bias")));
        var raw = model.Graph.Initializer.Single(i => i.Name == matmul.Input[1]);
        raw.Name.Should().NotContain("query", "the exporter renamed it");
        using var stored = OnnxBertImporter.ToTensor(raw, "test");
        var imported = miniLm.Weights["encoder.layer.0.attention.self.query.weight"];
        TensorAssert.Identical(stored.t(), imported).Should().BeTrue();
    }

    [Fact]
    public void Cuts_to_the_first_layers()
    {
        using var two = miniLm.Weights.TruncateLayers(2);
        two.Config.NumHiddenLayers.Should().Be(2);
        two.Tensors.Keys.Should().NotContain(k => k.StartsWith("encoder.layer.2."));
        TensorAssert.Identical(two["encoder.layer.1.output.dense.weight"], miniLm.Weights["encoder.layer.1.output.dense.weight"]).Should().BeTrue();
        ((Action)(() => miniLm.Weights.TruncateLayers(7))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Refuses_garbage_and_incomplete_graphs_with_clear_messages()
    {
        ((Action)(() => OnnxBertImporter.Import([0xff, 0xff, 0xff, 0x01, 0x02], "garbage.onnx")))
            .Should().Throw<MlacInputException>().WithMessage("garbage.onnx*");

        var model = ModelProto.Parser.ParseFrom(miniLm.OnnxBytes);
        var pooler = model.Graph.Initializer.Single(i => i.Name == "pooler.dense.weight");
        model.Graph.Initializer.Remove(pooler);
        ((Action)(() => OnnxBertImporter.Import(model.ToByteArray(), "no-pooler.onnx")))
            .Should().Throw<MlacInputException>().WithMessage("*no-pooler.onnx*missing*pooler.dense.weight*");

        model = ModelProto.Parser.ParseFrom(miniLm.OnnxBytes);
        var bias = model.Graph.Initializer.Single(i => i.Name == "embeddings.LayerNorm.bias");
        bias.RawData = ByteString.CopyFrom(bias.RawData.Span[..100]);
        ((Action)(() => OnnxBertImporter.Import(model.ToByteArray(), "short.onnx")))
            .Should().Throw<MlacInputException>().WithMessage("*short.onnx*embeddings.LayerNorm.bias*");
    }
}
