using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlacRelease.Common.Release;

namespace MlacRelease.Export.Release;

/// <summary>
/// README.md, the release's model card: Hugging Face front matter (license, tags, library_name, pipeline_tag and the
/// certificate's results as model-index, see <see cref="ModelIndex"/>) and a short results section taken from the
/// certificate. The certificate is treated as opaque JSON (its schema belongs to Certification); only
/// its top-level "verdict" and "worst_case" are shown, verbatim.
/// </summary>
public static partial class ModelCard
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")]
    private static partial Regex Identifier();

    public static string Render(ModelCardOptions options, ModelCardFacts facts)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(facts);
        // Front-matter values are identifiers only: anything else could break out of the YAML.
        foreach (var value in options.Tags.Append(options.License).Append(options.LibraryName))
        {
            if (!Identifier().IsMatch(value)) throw new ArgumentException($"model card: '{value}' is not a plain identifier (letters, digits, . _ + -)");
        }
        var card = new StringBuilder();
        card.Append("---\n");
        card.Append($"license: {options.License}\n");
        card.Append($"library_name: {options.LibraryName}\n");
        card.Append($"pipeline_tag: {(facts.Classes > 0 ? "text-classification" : "feature-extraction")}\n");
        card.Append("tags:\n");
        foreach (var tag in options.Tags.Distinct(StringComparer.Ordinal)) card.Append($"- {tag}\n");
        card.Append(ModelIndex.Render(OneLine(options.Title), facts.CertificateJson));
        card.Append("---\n\n");
        card.Append($"# {OneLine(options.Title)}\n\n");
        if (!string.IsNullOrWhiteSpace(options.Description)) card.Append(options.Description.Trim()).Append("\n\n");

        card.Append("## Model\n\n");
        card.Append($"- Encoder: BERT, {facts.Layers} layers, hidden size {facts.HiddenSize}, {facts.Heads} attention heads\n");
        card.Append($"- Outputs: {string.Join(", ", facts.Outputs.Select(o => $"`{o}`"))}\n");
        card.Append($"- Weight digest: `{facts.WeightDigest}`\n");
        if (facts.CertificateDigest is not null) card.Append($"- Certificate digest: `{facts.CertificateDigest}`\n");
        card.Append($"- ONNX opset {facts.Opset}; exported by MlacRelease {facts.ToolVersion}\n");
        if (facts.ParitySummary is not null) card.Append($"- Export validation (ONNX Runtime vs. the reference encoder): {facts.ParitySummary}\n");
        card.Append('\n');

        card.Append("## Results\n\n");
        if (facts.CertificateJson is null)
        {
            card.Append("No certificate was shipped with this release: its resistance to fine-tuning attacks is not certified.\n");
        }
        else
        {
            card.Append($"From `{ReleaseFileNames.Certificate}` (the full record is in that file):\n\n");
            var any = false;
            foreach (var field in new[] { "verdict", "worst_case" })
            {
                if (facts.CertificateJson[field] is not { } value) continue;
                any = true;
                card.Append($"**{field}**:\n\n");
                AppendCode(card, value.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            }
            if (!any) card.Append("The certificate has no top-level \"verdict\" or \"worst_case\" field.\n");
        }
        card.Append("\n## Use\n\n");
        card.Append("The folder is a Hugging Face ONNX model: `").Append(ReleaseFileNames.Config).Append("`, `").Append(ReleaseFileNames.Tokenizer)
            .Append("` (BERT WordPiece), `").Append(ReleaseFileNames.TokenizerConfig).Append("`, `").Append(ReleaseFileNames.Model).Append("`. ");
        card.Append("transformers.js loads it as it is, e.g. `pipeline('feature-extraction', folder, { local_files_only: true, dtype: 'fp32' })`");
        if (facts.Classes > 0) card.Append(" or `pipeline('text-classification', …)`");
        card.Append(". Verify it first: ");
        card.Append($"`MlacRelease.Inference.EncoderSession.Open(folder, publisherPublicKey)` (and `mlac verify`) checks `{ReleaseFileNames.ManifestSignature}` with the publisher's key and every file against `{ReleaseFileNames.Manifest}` before serving. ");
        card.Append($"Any ONNX Runtime can run `{ReleaseFileNames.Model}` directly (inputs `{OnnxIoNames.InputIds}`, `{OnnxIoNames.AttentionMask}`, `{OnnxIoNames.TokenTypeIds}`).\n");
        return card.ToString();
    }

    /// <summary>A fenced block whose fence is longer than any backtick run inside, so no content can close it.</summary>
    private static void AppendCode(StringBuilder card, string text)
    {
        var longest = 0;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', Math.Max(3, longest + 1));
        card.Append(fence).Append("json\n").Append(text).Append('\n').Append(fence).Append("\n\n");
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
