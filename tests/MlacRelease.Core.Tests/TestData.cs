using MlacRelease.Common.Text;
using MlacRelease.Core.Builtin;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;

namespace MlacRelease.Core.Tests;

/// <summary>The built-in MiniLM, loaded once for every test that needs it (90 MB of protobuf to parse).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmFixture()
    {
        OnnxBytes = BuiltinModel.ReadOnnx();
        Weights = Core.Weights.OnnxBertImporter.Import(OnnxBytes, BuiltinModel.Name);
        Tokenizer = new BertTextTokenizer(BuiltinModel.ReadVocabulary());
    }

    public byte[] OnnxBytes { get; }

    public EncoderWeights Weights { get; }

    public BertTextTokenizer Tokenizer { get; }

    public void Dispose() => Weights.Dispose();
}

[CollectionDefinition(Name)]
public sealed class MiniLmCollection : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "MiniLM";
}

public static class TensorAssert
{
    /// <summary>Same shape, same dtype, bitwise-equal values.</summary>
    public static bool Identical(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape)
        && a.contiguous().cpu().bytes.SequenceEqual(b.contiguous().cpu().bytes);
}
