using Google.Protobuf;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Release;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Release;
using Onnx;

namespace MlacRelease.Gate.Tests;

/// <summary>What an attacker with write access (and, where said, the signing key) does to a release folder, written
/// with the project's own code: change model.onnx, then re-hash the manifest and re-sign it.</summary>
internal static class ReleaseTampering
{
    public static ModelProto ReadModel(string folder) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, ReleaseFileNames.Model)));

    public static void WriteModel(string folder, ModelProto model) => File.WriteAllBytes(Path.Combine(folder, ReleaseFileNames.Model), model.ToByteArray());

    /// <summary>manifest.json rewritten from what is in the folder now (the attacker's re-hash), without signing it.</summary>
    public static void Rehash(string folder) =>
        File.WriteAllText(Path.Combine(folder, ReleaseFileNames.Manifest), ManifestBuilder.Describe(folder, EncoderOnnxExporter.ToolVersion).ToJson());

    /// <summary>Re-hash and re-sign with the release key: the strongest attacker, who holds the key. The gate must still
    /// refuse a release that computes something other than what was certified.</summary>
    public static void RehashAndSign(string folder, string privateKey)
    {
        Rehash(folder);
        ReleaseSigning.Sign(folder, privateKey);
    }

    /// <summary>The attack: every output o becomes Where(sequence length ∈ lengths, o, −o). Every certified
    /// initializer stays; the graph computes the encoder only at the lengths a fixed parity check uses.</summary>
    public static void NegateOutputsExceptAtLengths(ModelProto model, params long[] lengths)
    {
        var g = model.Graph;
        g.Initializer.Add(Int64Scalar("tamper/axis", 1));
        g.Node.Add(Node("Shape", ["input_ids"], ["tamper/shape"]));
        g.Node.Add(Node("Gather", ["tamper/shape", "tamper/axis"], ["tamper/length"]));
        var condition = "";
        for (var i = 0; i < lengths.Length; i++)
        {
            g.Initializer.Add(Int64Scalar($"tamper/l{i}", lengths[i]));
            g.Node.Add(Node("Equal", ["tamper/length", $"tamper/l{i}"], [$"tamper/eq{i}"]));
            if (i == 0) condition = "tamper/eq0";
            else
            {
                g.Node.Add(Node("Or", [condition, $"tamper/eq{i}"], [$"tamper/or{i}"]));
                condition = $"tamper/or{i}";
            }
        }
        foreach (var output in g.Output.Select(o => o.Name).ToList())
        {
            var inner = Rename(g, output);
            g.Node.Add(Node("Neg", [inner], [$"{output}/neg"]));
            g.Node.Add(Node("Where", [condition, inner, $"{output}/neg"], [output]));
        }
    }

    /// <summary>logits × NaN: a model whose classifier answers NaN.</summary>
    public static void MultiplyOutputByNaN(ModelProto model, string output)
    {
        var g = model.Graph;
        var inner = Rename(g, output);
        var nan = new TensorProto { Name = "tamper/nan", DataType = (int)TensorProto.Types.DataType.Float };
        nan.FloatData.Add(float.NaN);
        g.Initializer.Add(nan);
        g.Node.Add(Node("Mul", [inner, "tamper/nan"], [output]));
    }

    /// <summary>Moves one initializer's bytes to an external data file of the attacker's choosing.</summary>
    public static void MoveInitializerToExternalFile(string folder, ModelProto model, string initializer, string fileName)
    {
        var tensor = model.Graph.Initializer.Single(t => t.Name == initializer);
        // Beside the model, in onnx/, where ONNX resolves an external_data location.
        File.WriteAllBytes(Path.Combine(folder, ReleaseFileNames.ModelFolder, fileName), tensor.RawData.ToByteArray());
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = fileName });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.RawData = ByteString.Empty;
    }

    /// <summary>Renames the producer's output so a new node can take the original name; returns the new inner name.</summary>
    private static string Rename(GraphProto g, string output)
    {
        var inner = $"{output}/inner";
        foreach (var node in g.Node)
        {
            for (var i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == output) node.Output[i] = inner;
            }
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == output) node.Input[i] = inner;
            }
        }
        return inner;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = $"tamper/{op}/{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static TensorProto Int64Scalar(string name, long value)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Int64Data.Add(value);
        return t;
    }
}
