namespace MlacRelease.Core.Weights;

/// <summary>A parsed header: tensor entries in header order and the "__metadata__" strings.</summary>
internal sealed record SafetensorsHeader(IReadOnlyList<SafetensorsHeaderEntry> Entries, Dictionary<string, string> Metadata);
