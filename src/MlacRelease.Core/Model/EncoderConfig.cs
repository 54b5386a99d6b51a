using System.Text.Json;
using System.Text.Json.Nodes;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Model;

/// <summary>
/// The shape of a BERT-style encoder, with the fields and JSON names of Hugging Face's <c>config.json</c> so that a
/// directory we write loads in Hugging Face tooling and one it writes loads here.
/// </summary>
public sealed record EncoderConfig
{
    public int VocabSize { get; init; } = 30522;
    public int HiddenSize { get; init; } = 128;
    public int NumHiddenLayers { get; init; } = 2;
    public int NumAttentionHeads { get; init; } = 2;
    public int IntermediateSize { get; init; } = 512;
    public int MaxPositionEmbeddings { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public double LayerNormEps { get; init; } = 1e-12;
    public string HiddenAct { get; init; } = "gelu";
    public double InitializerRange { get; init; } = 0.02;
    public int PadTokenId { get; init; }

    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>BERT-tiny, the encoder of the paper's experiments (2 layers, hidden 128, 2 heads).</summary>
    public static EncoderConfig BertTiny { get; } = new();

    private static readonly string[] KnownActivations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu"];

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first inconsistent field.</summary>
    public EncoderConfig Validate(string source = "config")
    {
        void Require(bool ok, string field, string expected, object actual)
        {
            if (!ok) throw new MlacInputException($"{source}: field '{field}': expected {expected}, got {actual}");
        }
        Require(VocabSize is > 0 and <= 10_000_000, "vocab_size", "1..10,000,000", VocabSize);
        Require(HiddenSize is > 0 and <= 65_536, "hidden_size", "1..65,536", HiddenSize);
        Require(NumHiddenLayers is >= 0 and <= 256, "num_hidden_layers", "0..256", NumHiddenLayers);
        Require(NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads == 0, "num_attention_heads",
            $"a positive divisor of hidden_size {HiddenSize}", NumAttentionHeads);
        Require(IntermediateSize is > 0 and <= 262_144, "intermediate_size", "1..262,144", IntermediateSize);
        Require(MaxPositionEmbeddings is > 0 and <= 1_048_576, "max_position_embeddings", "1..1,048,576", MaxPositionEmbeddings);
        Require(TypeVocabSize is > 0 and <= 1024, "type_vocab_size", "1..1024", TypeVocabSize);
        Require(LayerNormEps > 0 && LayerNormEps < 1, "layer_norm_eps", "a value in (0, 1)", LayerNormEps);
        Require(KnownActivations.Contains(HiddenAct), "hidden_act", string.Join(" | ", KnownActivations), HiddenAct);
        Require(PadTokenId >= 0 && PadTokenId < VocabSize, "pad_token_id", $"0..{VocabSize - 1}", PadTokenId);
        return this;
    }

    public string ToJson()
    {
        var node = new JsonObject
        {
            ["architectures"] = new JsonArray("BertModel"),
            ["model_type"] = "bert",
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["intermediate_size"] = IntermediateSize,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["type_vocab_size"] = TypeVocabSize,
            ["layer_norm_eps"] = LayerNormEps,
            ["hidden_act"] = HiddenAct,
            ["initializer_range"] = InitializerRange,
            ["pad_token_id"] = PadTokenId,
            ["hidden_dropout_prob"] = 0.1,
            ["attention_probs_dropout_prob"] = 0.1,
            ["position_embedding_type"] = "absolute",
            ["torch_dtype"] = "float32",
        };
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Parses a Hugging Face config.json; unknown fields are ignored, wrong types are reported by name.</summary>
    public static EncoderConfig FromJson(string json, string source = "config.json")
    {
        Common.Text.JsonText.RequireDecodable(json, source);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new MlacInputException($"{source}: not valid JSON ({e.Message})", e);
        }
        if (root is not JsonObject obj) throw new MlacInputException($"{source}: expected a JSON object");
        if (obj["model_type"] is JsonValue modelType && modelType.TryGetValue(out string? type)
            && type is not ("bert" or "roberta" or "distilbert_like"))
        {
            throw new MlacInputException($"{source}: field 'model_type': expected \"bert\", got \"{type}\"");
        }
        if (obj["position_embedding_type"] is JsonValue pe && pe.TryGetValue(out string? peType) && peType != "absolute")
        {
            throw new MlacInputException($"{source}: field 'position_embedding_type': only \"absolute\" is supported, got \"{peType}\"");
        }
        var defaults = new EncoderConfig();
        return new EncoderConfig
        {
            VocabSize = Int(obj, "vocab_size", source, defaults.VocabSize),
            HiddenSize = Int(obj, "hidden_size", source, defaults.HiddenSize),
            NumHiddenLayers = Int(obj, "num_hidden_layers", source, defaults.NumHiddenLayers),
            NumAttentionHeads = Int(obj, "num_attention_heads", source, defaults.NumAttentionHeads),
            IntermediateSize = Int(obj, "intermediate_size", source, defaults.IntermediateSize),
            MaxPositionEmbeddings = Int(obj, "max_position_embeddings", source, defaults.MaxPositionEmbeddings),
            TypeVocabSize = Int(obj, "type_vocab_size", source, defaults.TypeVocabSize),
            LayerNormEps = Double(obj, "layer_norm_eps", source, defaults.LayerNormEps),
            HiddenAct = String(obj, "hidden_act", source, defaults.HiddenAct),
            InitializerRange = Double(obj, "initializer_range", source, defaults.InitializerRange),
            PadTokenId = Int(obj, "pad_token_id", source, defaults.PadTokenId),
        }.Validate(source);
    }

    private static int Int(JsonObject obj, string field, string source, int fallback)
    {
        if (!obj.TryGetPropertyValue(field, out var node) || node is null) return fallback;
        if (node is JsonValue value && value.TryGetValue(out int result)) return result;
        throw new MlacInputException($"{source}: field '{field}': expected an integer, got {node.ToJsonString()}");
    }

    private static double Double(JsonObject obj, string field, string source, double fallback)
    {
        if (!obj.TryGetPropertyValue(field, out var node) || node is null) return fallback;
        if (node is JsonValue value && value.TryGetValue(out double result)) return result;
        throw new MlacInputException($"{source}: field '{field}': expected a number, got {node.ToJsonString()}");
    }

    private static string String(JsonObject obj, string field, string source, string fallback)
    {
        if (!obj.TryGetPropertyValue(field, out var node) || node is null) return fallback;
        if (node is JsonValue value && value.TryGetValue(out string? result)) return result;
        throw new MlacInputException($"{source}: field '{field}': expected a string, got {node.ToJsonString()}");
    }
}
