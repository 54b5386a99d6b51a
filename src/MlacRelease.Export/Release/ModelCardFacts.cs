using System.Text.Json.Nodes;

namespace MlacRelease.Export.Release;

/// <summary>What the card states about the exported model; gathered by <see cref="ReleaseWriter"/>.</summary>
public sealed record ModelCardFacts
{
    public required int Layers { get; init; }
    public required int HiddenSize { get; init; }
    public required int Heads { get; init; }
    public required IReadOnlyList<string> Outputs { get; init; }
    public required string WeightDigest { get; init; }
    public required int Opset { get; init; }
    public required string ToolVersion { get; init; }
    public int Classes { get; init; }
    public string? CertificateDigest { get; init; }
    public JsonObject? CertificateJson { get; init; }
    public string? ParitySummary { get; init; }
}
