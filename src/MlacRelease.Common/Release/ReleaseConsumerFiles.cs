using System.Text;
using MlacRelease.Common.Text;

namespace MlacRelease.Common.Release;

/// <summary>
/// The files beside onnx/model.onnx that a Hugging Face consumer computes with: tokenizer.json, tokenizer_config.json
/// and special_tokens_map.json cut the text into ids, config.json names the classes and the problem type (transformers.js
/// applies a sigmoid instead of a softmax for a multi-label one). Each is a function of the vocabulary, the tokenizer
/// settings, the encoder's configuration and the head's class names, all recorded in the model; the exporter writes
/// them from here, and the gate requires the shipped ones to be exactly these bytes, so no field a consumer reads
/// (truncation_side, model_max_length, hidden_act, id2label …) can say anything the model does not.
/// </summary>
public static class ReleaseConsumerFiles
{
    /// <summary>Release path and text of each file, for <paramref name="tokenizer"/>, the encoder's Hugging Face
    /// configuration <paramref name="encoderConfigJson"/> and a head's class names (null: no head).</summary>
    public static IReadOnlyList<(string Path, string Text)> Render(HuggingFaceTokenizerJson tokenizer, string encoderConfigJson, IReadOnlyList<string>? labels)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return
        [
            (ReleaseFileNames.Tokenizer, tokenizer.ToJson()),
            (ReleaseFileNames.TokenizerConfig, HuggingFaceTokenizerConfig.TokenizerConfigJson(tokenizer)),
            (ReleaseFileNames.SpecialTokensMap, HuggingFaceTokenizerConfig.SpecialTokensMapJson(tokenizer)),
            (ReleaseFileNames.Config, ReleaseModelConfig.ToJson(encoderConfigJson, labels)),
        ];
    }

    /// <summary>Null when every consumer file in <paramref name="snapshot"/> is byte for byte what the exporter writes
    /// for the vocabulary of its tokenizer.json and what the model records; otherwise the first file that is not.</summary>
    public static string? FindDifference(ReleaseSnapshot snapshot, HuggingFaceTokenizerJson shipped, TokenizerSettings recorded, string encoderConfigJson, IReadOnlyList<string>? labels)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(shipped);
        foreach (var (path, text) in Render(shipped with { Settings = recorded }, encoderConfigJson, labels))
        {
            if (!snapshot.Bytes(path).AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(text)))
                return $"{path} is not the file the exporter writes for this model's vocabulary, tokenizer settings, configuration and classes";
        }
        return null;
    }
}
