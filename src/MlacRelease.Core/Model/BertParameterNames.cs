namespace MlacRelease.Core.Model;

/// <summary>
/// Parameter names and shapes exactly as Hugging Face's BertModel names them, so checkpoints line up by name.
/// </summary>
public static class BertParameterNames
{
    public const string WordEmbeddings = "embeddings.word_embeddings.weight";
    public const string PositionEmbeddings = "embeddings.position_embeddings.weight";
    public const string TokenTypeEmbeddings = "embeddings.token_type_embeddings.weight";
    public const string EmbeddingsLayerNormWeight = "embeddings.LayerNorm.weight";
    public const string EmbeddingsLayerNormBias = "embeddings.LayerNorm.bias";
    public const string PoolerWeight = "pooler.dense.weight";
    public const string PoolerBias = "pooler.dense.bias";

    public static string Layer(int index, string suffix) => $"encoder.layer.{index}.{suffix}";

    public const string Query = "attention.self.query";
    public const string Key = "attention.self.key";
    public const string Value = "attention.self.value";
    public const string AttentionOutput = "attention.output.dense";
    public const string AttentionLayerNorm = "attention.output.LayerNorm";
    public const string Intermediate = "intermediate.dense";
    public const string Output = "output.dense";
    public const string OutputLayerNorm = "output.LayerNorm";

    /// <summary>Every parameter of an encoder with this configuration, in a fixed order, with its shape.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> All(EncoderConfig config)
    {
        long h = config.HiddenSize, i = config.IntermediateSize;
        var list = new List<(string, long[])>
        {
            (WordEmbeddings, [config.VocabSize, h]),
            (PositionEmbeddings, [config.MaxPositionEmbeddings, h]),
            (TokenTypeEmbeddings, [config.TypeVocabSize, h]),
            (EmbeddingsLayerNormWeight, [h]),
            (EmbeddingsLayerNormBias, [h]),
        };
        for (var l = 0; l < config.NumHiddenLayers; l++)
        {
            foreach (var linear in new[] { Query, Key, Value, AttentionOutput })
            {
                list.Add((Layer(l, linear + ".weight"), [h, h]));
                list.Add((Layer(l, linear + ".bias"), [h]));
            }
            list.Add((Layer(l, AttentionLayerNorm + ".weight"), [h]));
            list.Add((Layer(l, AttentionLayerNorm + ".bias"), [h]));
            list.Add((Layer(l, Intermediate + ".weight"), [i, h]));
            list.Add((Layer(l, Intermediate + ".bias"), [i]));
            list.Add((Layer(l, Output + ".weight"), [h, i]));
            list.Add((Layer(l, Output + ".bias"), [h]));
            list.Add((Layer(l, OutputLayerNorm + ".weight"), [h]));
            list.Add((Layer(l, OutputLayerNorm + ".bias"), [h]));
        }
        list.Add((PoolerWeight, [h, h]));
        list.Add((PoolerBias, [h]));
        return list;
    }

    /// <summary>Strips wrapper prefixes that task models and exporters add ("bert.", "model.", "0.auto_model.").</summary>
    public static string Canonical(string name)
    {
        foreach (var prefix in new[] { "0.auto_model.", "auto_model.", "bert.", "model." })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return name[prefix.Length..];
        }
        return name;
    }
}
