namespace MlacRelease.Export.Release;

/// <summary>The Hugging Face model-card front matter of a release.</summary>
public sealed record ModelCardOptions
{
    public string Title { get; init; } = "MLAC self-destructing encoder";

    /// <summary>A Hugging Face license identifier ("mit", "apache-2.0" …). The weights' license is the caller's to state;
    /// "other" says nothing.</summary>
    public string License { get; init; } = "other";

    public IReadOnlyList<string> Tags { get; init; } = ["onnx", "bert", "feature-extraction", "transformers.js", "mlac", "self-destructing"];

    public string LibraryName { get; init; } = "onnx";

    /// <summary>Free text (Markdown) placed under the title, e.g. where the base model came from.</summary>
    public string? Description { get; init; }
}
