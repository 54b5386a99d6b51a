using System.Text.Json.Serialization;
using MlacRelease.Core.Model;

namespace MlacRelease.Certification.Certificates;

/// <summary>The certified encoder: the digest that binds the certificate to its weights, and its full configuration.
/// The weight digest covers tensors only; heads, LayerNorm epsilon and activation change what the same tensors compute,
/// so they are recorded too and a release gate compares them with the shipped graph.</summary>
/// <param name="WeightDigest">Canonical weight digest (mlac.weights.v1: tensor bytes in name order).</param>
/// <param name="FileDigest">SHA-256 of the weights file as shipped, when certified from a file.</param>
public sealed record EncoderDescription(string WeightDigest, string? FileDigest, int Layers, int HiddenSize, int AttentionHeads,
    int IntermediateSize, int VocabSize, int MaxPositionEmbeddings, int TypeVocabSize, double LayerNormEps, string HiddenAct, int PadTokenId)
{
    public static EncoderDescription Of(EncoderConfig config, string weightDigest, string? fileDigest) => new(weightDigest, fileDigest,
        config.NumHiddenLayers, config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize, config.VocabSize, config.MaxPositionEmbeddings,
        config.TypeVocabSize, config.LayerNormEps, config.HiddenAct, config.PadTokenId);

    /// <summary>The classifier head the encoder is released with (<see cref="Core.Model.HeadDigest"/>: weights and class
    /// names), or <see cref="Core.Model.HeadDigest.None"/> for a release without one; the gate requires the shipped head
    /// to be this one, as the certified encoder under a head trained for the harmful task serves the harmful task. Null
    /// only in certificates written before the field existed (left out of the JSON, so they stay canonical); the gate
    /// refuses those.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HeadDigest { get; init; }

    /// <summary>Every field of <paramref name="config"/> that the certified configuration does not have, as "name: certified X, found Y".</summary>
    public IReadOnlyList<string> Differences(EncoderConfig config)
    {
        var actual = Of(config, WeightDigest, FileDigest);
        var differences = new List<string>();
        void Compare<T>(string name, T certified, T found)
        {
            if (!EqualityComparer<T>.Default.Equals(certified, found)) differences.Add($"{name}: certified {certified}, found {found}");
        }
        Compare("num_hidden_layers", Layers, actual.Layers);
        Compare("hidden_size", HiddenSize, actual.HiddenSize);
        Compare("num_attention_heads", AttentionHeads, actual.AttentionHeads);
        Compare("intermediate_size", IntermediateSize, actual.IntermediateSize);
        Compare("vocab_size", VocabSize, actual.VocabSize);
        Compare("max_position_embeddings", MaxPositionEmbeddings, actual.MaxPositionEmbeddings);
        Compare("type_vocab_size", TypeVocabSize, actual.TypeVocabSize);
        // The graph stores epsilon as float32: compare at that precision, as that is what runs.
        Compare("layer_norm_eps", (float)LayerNormEps, (float)actual.LayerNormEps);
        Compare("hidden_act", HiddenAct, actual.HiddenAct);
        Compare("pad_token_id", PadTokenId, actual.PadTokenId);
        return differences;
    }
}
