using Google.Protobuf;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using Onnx;

namespace MlacRelease.Inference.Tests;

/// <summary>
/// A signed release folder around an encoder whose outputs can be computed by hand: last_hidden_state is row id of a
/// fixed table for every token (a Gather), pooler_output the mean of those rows over all positions, padding included
/// (ReduceMean), logits pooler_output · <see cref="HeadWeight"/>. Written with Common's renderers and signer only, so
/// these tests need neither TorchSharp nor the exporter, as Inference itself does not.
/// </summary>
public sealed class LookupEncoderRelease : IDisposable
{
    public const int Hidden = 2;

    /// <summary>Word pieces; "nan" embeds as NaN, for the refusal of non-finite outputs.</summary>
    public static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "green", "blue", "nan"];

    public static readonly float[,] HeadWeight = { { 1f, -1f }, { 0.5f, 2f } };

    public static readonly IReadOnlyList<string> Labels = ["warm", "cool"];

    public static readonly TokenizerSettings Tokenizer = new() { MaxLength = 8 };

    /// <summary>What config.json is rendered from (Inference reads only model_type and the class names).</summary>
    public const string EncoderConfigJson = """{"model_type": "bert", "hidden_size": 2}""";

    private readonly TempFolder _temp = new();

    public LookupEncoderRelease()
    {
        Folder = _temp.File("release");
        PublicKey = _temp.File("release.pub");
        PrivateKey = _temp.File("release.key");
        SigningKeys.WriteKeyPair(PrivateKey, PublicKey);
        Directory.CreateDirectory(Path.Combine(Folder, ReleaseFileNames.ModelFolder));
        File.WriteAllBytes(Path.Combine(Folder, ReleaseFileNames.Model), Model().ToByteArray());
        var tokenizer = new HuggingFaceTokenizerJson { Vocabulary = WordPieceVocabulary.FromText(string.Join("\n", Vocabulary) + "\n", "test"), Settings = Tokenizer };
        foreach (var (path, text) in ReleaseConsumerFiles.Render(tokenizer, EncoderConfigJson, Labels))
            File.WriteAllText(Path.Combine(Folder, path), text);
        Resign(Folder);
    }

    public string Folder { get; }

    public string PublicKey { get; }

    public string PrivateKey { get; }

    /// <summary>last_hidden_state of token id <paramref name="id"/>: (id, 2·id + 1), NaN for "nan".</summary>
    public static float[] Row(int id) => Vocabulary[id] == "nan" ? [float.NaN, float.NaN] : [id, 2 * id + 1];

    /// <summary>A copy of the release to change; call <see cref="Resign"/> to re-hash and re-sign it after.</summary>
    public string Copy(string name) => ReleaseCopy.Copy(Folder, _temp.File(name));

    /// <summary>manifest.json written from the folder's files, then signed with the release key (as an attacker holding the key would).</summary>
    public void Resign(string folder)
    {
        var files = ReleaseCopy.Files(folder)
            .Where(name => name is not (ReleaseFileNames.Manifest or ReleaseFileNames.ManifestSignature or ReleaseFileNames.ModelSigningBundle))
            .Select(name => new ReleaseManifestEntry(name, FileDigest.Sha256(Path.Combine(folder, name)), new FileInfo(Path.Combine(folder, name)).Length))
            .ToList();
        File.WriteAllText(Path.Combine(folder, ReleaseFileNames.Manifest), new ReleaseManifest { ToolVersion = "test", Files = files }.ToJson());
        ReleaseSigning.Sign(folder, PrivateKey);
    }

    public void Dispose() => _temp.Dispose();

    private static ModelProto Model()
    {
        var graph = new GraphProto { Name = "lookup-encoder" };
        var table = new TensorProto { Name = "table", DataType = (int)TensorProto.Types.DataType.Float };
        table.Dims.Add(Vocabulary.Length);
        table.Dims.Add(Hidden);
        for (var id = 0; id < Vocabulary.Length; id++) table.FloatData.AddRange(Row(id));
        var head = new TensorProto { Name = "head", DataType = (int)TensorProto.Types.DataType.Float };
        head.Dims.Add(Hidden);
        head.Dims.Add(Labels.Count);
        foreach (var w in HeadWeight) head.FloatData.Add(w);
        graph.Initializer.Add(table);
        graph.Initializer.Add(head);
        foreach (var input in new[] { OnnxIoNames.InputIds, OnnxIoNames.AttentionMask, OnnxIoNames.TokenTypeIds })
            graph.Input.Add(Value(input, TensorProto.Types.DataType.Int64, OnnxIoNames.BatchAxis, OnnxIoNames.SequenceAxis));
        graph.Output.Add(Value(OnnxIoNames.LastHiddenState, TensorProto.Types.DataType.Float, OnnxIoNames.BatchAxis, OnnxIoNames.SequenceAxis, Hidden));
        graph.Output.Add(Value(OnnxIoNames.PoolerOutput, TensorProto.Types.DataType.Float, OnnxIoNames.BatchAxis, Hidden));
        graph.Output.Add(Value(OnnxIoNames.Logits, TensorProto.Types.DataType.Float, OnnxIoNames.BatchAxis, Labels.Count));
        graph.Node.Add(Node("Gather", ["table", OnnxIoNames.InputIds], OnnxIoNames.LastHiddenState));
        var mean = Node("ReduceMean", [OnnxIoNames.LastHiddenState], OnnxIoNames.PoolerOutput);
        mean.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1L } });
        mean.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(mean);
        graph.Node.Add(Node("MatMul", [OnnxIoNames.PoolerOutput, "head"], OnnxIoNames.Logits));
        var model = new ModelProto { IrVersion = 8, ProducerName = "MlacRelease.Inference.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadataKeys.Tokenizer, Value = TokenizerSettingsJson.ToJson(Tokenizer) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadataKeys.Labels, Value = System.Text.Json.JsonSerializer.Serialize(Labels) });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    /// <summary>A tensor value: string dims are named (dynamic) axes, ints fixed ones.</summary>
    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim is string axis ? new TensorShapeProto.Types.Dimension { DimParam = axis } : new TensorShapeProto.Types.Dimension { DimValue = (int)dim });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
