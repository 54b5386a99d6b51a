using MlacRelease.Common.Release;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Onnx;
using Onnx;

namespace MlacRelease.Export.Tests;

/// <summary>Importing our export gives back the exact weights (bitwise) and so the same weight digest.</summary>
[Collection(ExportCollection.Name)]
public sealed class RoundTripTests(ExportFixture fixture)
{
    [Fact]
    public void Importing_our_MiniLM_export_gives_bitwise_equal_tensors_and_the_same_digest()
    {
        using var imported = OnnxBertImporter.Import(fixture.FullExportPath);
        AssertIdentical(imported, fixture.Weights);
        imported.Config.Should().Be(fixture.Weights.Config);
        var digest = fixture.Weights.Digest();
        imported.Digest().Should().Be(digest);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.FullExportPath));
        EncoderOnnxExporter.Find(model, OnnxMetadataKeys.WeightDigest).Should().Be(digest);
    }

    [Fact]
    public void Initializers_keep_Hugging_Face_names_where_used_as_is_and_MatMul_weights_are_stored_transposed_and_renamed()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.FullExportPath));
        var names = model.Graph.Initializer.Select(i => i.Name).ToHashSet();
        names.Should().Contain(["embeddings.word_embeddings.weight", "embeddings.LayerNorm.bias", "encoder.layer.5.output.dense.bias",
            "encoder.layer.0.attention.output.LayerNorm.weight", "pooler.dense.weight", "pooler.dense.bias"]);
        names.Should().NotContain("encoder.layer.0.attention.self.query.weight", "MatMul right-hand sides are renamed as PyTorch exports them");
        var query = model.Graph.Node.Single(n => n.Name == "/encoder/layer.0/attention/self/query/MatMul").Input[1];
        query.Should().StartWith("onnx::MatMul_");
        var stored = model.Graph.Initializer.Single(i => i.Name == query);
        stored.Dims.Should().Equal(384, 384);
        using var tensor = OnnxBertImporter.ToTensor(stored, "test");
        using var transposed = tensor.t().contiguous();
        TensorBytes(transposed).Should().Equal(TensorBytes(fixture.Weights["encoder.layer.0.attention.self.query.weight"]));
        var intermediate = model.Graph.Initializer.Single(i => i.Name == model.Graph.Node.Single(n => n.Name == "/encoder/layer.0/intermediate/dense/MatMul").Input[1]);
        intermediate.Dims.Should().Equal(384, 1536);
        model.Graph.Node.Single(n => n.Name == "/pooler/dense/Gemm").Attribute.Single(a => a.Name == "transB").I.Should().Be(1);
        model.OpsetImport.Single().Version.Should().Be(17);
        model.Graph.Node.Count(n => n.OpType == "LayerNormalization").Should().Be(13, "one LayerNormalization node per LayerNorm");
    }

    [Fact]
    public void The_ORT_fused_flavor_round_trips_too()
    {
        var path = Path.Combine(fixture.Folder, $"fused-roundtrip-{Guid.NewGuid():N}.onnx");
        EncoderOnnxExporter.Save(fixture.TwoLayers, path, new OnnxExportOptions { Flavor = OnnxGraphFlavor.OnnxRuntimeFused });
        using var imported = OnnxBertImporter.Import(path);
        AssertIdentical(imported, fixture.TwoLayers);
        imported.Config.Should().Be(fixture.TwoLayers.Config);
        imported.Digest().Should().Be(fixture.TwoLayers.Digest());
    }

    [Theory]
    [InlineData("gelu_new")]
    [InlineData("relu")]
    public void Other_activations_round_trip_with_their_configuration(string activation)
    {
        var config = new EncoderConfig { VocabSize = 50, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 24, MaxPositionEmbeddings = 40, HiddenAct = activation };
        using var weights = EncoderWeights.RandomInit(config, seed: 3);
        foreach (var flavor in Enum.GetValues<OnnxGraphFlavor>())
        {
            var path = Path.Combine(fixture.Folder, $"{activation}-{flavor}-{Guid.NewGuid():N}.onnx");
            EncoderOnnxExporter.Save(weights, path, new OnnxExportOptions { Flavor = flavor, Tokenizer = new() { MaxLength = 40 } });
            using var imported = OnnxBertImporter.Import(path);
            imported.Config.HiddenAct.Should().Be(activation, $"the {flavor} graph shows its activation");
            imported.Config.NumAttentionHeads.Should().Be(4);
            // An int8 graph holds (and reads back as) the dequantized int8 weights.
            using var shipped = EncoderOnnxExporter.ShippedWeights(weights, flavor);
            imported.Digest().Should().Be(shipped.Digest());
        }
    }

    private static void AssertIdentical(EncoderWeights actual, EncoderWeights expected)
    {
        actual.Tensors.Keys.Should().BeEquivalentTo(expected.Tensors.Keys);
        foreach (var (name, tensor) in expected.Tensors)
        {
            actual[name].dtype.Should().Be(tensor.dtype, name);
            actual[name].shape.Should().Equal(tensor.shape, name);
            TensorBytes(actual[name]).SequenceEqual(TensorBytes(tensor)).Should().BeTrue($"tensor {name} is bitwise equal");
        }
    }

    private static byte[] TensorBytes(TorchSharp.torch.Tensor t)
    {
        using var c = t.contiguous();
        return c.bytes.ToArray();
    }
}
