using Microsoft.ML.OnnxRuntime;
using MlacRelease.Export.Diagnostics;
using Xunit.Abstractions;

namespace MlacRelease.Export.Tests;

/// <summary>Which fusions ONNX Runtime's optimizer applies to our export and to the original MiniLM export.</summary>
[Collection(ExportCollection.Name)]
public sealed class FusionTests(ExportFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Reports_the_fusions_ORT_applies_to_ours_and_to_the_original()
    {
        foreach (var level in new[] { GraphOptimizationLevel.ORT_ENABLE_EXTENDED, GraphOptimizationLevel.ORT_ENABLE_ALL })
        {
            var ours = OrtOptimizationReport.Analyze(fixture.FullExportPath, level);
            var theirs = OrtOptimizationReport.Analyze(fixture.OriginalOnnxPath, level);
            output.WriteLine($"{level}: ours {ours.NodesBefore} → {ours.NodesAfter} nodes, fused: {ours.FusedSummary()}");
            output.WriteLine($"   after: {string.Join(", ", ours.After.OrderBy(k => k.Key).Select(kv => $"{kv.Key}×{kv.Value}"))}");
            output.WriteLine($"{level}: original {theirs.NodesBefore} → {theirs.NodesAfter} nodes, fused: {theirs.FusedSummary()}");
            output.WriteLine($"   after: {string.Join(", ", theirs.After.OrderBy(k => k.Key).Select(kv => $"{kv.Key}×{kv.Value}"))}");
        }
    }
}
