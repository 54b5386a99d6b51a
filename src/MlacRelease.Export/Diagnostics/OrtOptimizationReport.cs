using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace MlacRelease.Export.Diagnostics;

/// <summary>
/// What ONNX Runtime's graph optimizer makes of a model: the operator counts before and after, read back from the
/// optimized model ORT saves (SessionOptions.OptimizedModelFilePath). The fused operators (Attention,
/// SkipLayerNormalization, BiasGelu, FusedMatMul …) show which fusions it applied.
/// </summary>
public sealed record OrtOptimizationReport(
    GraphOptimizationLevel Level,
    IReadOnlyDictionary<string, int> Before,
    IReadOnlyDictionary<string, int> After)
{
    /// <summary>ONNX Runtime's contrib operators (domain com.microsoft) in the optimized graph, by count: the ones its
    /// fusions created, plus any the model was written with.</summary>
    public IReadOnlyDictionary<string, int> Fused => After.Where(kv => kv.Key.StartsWith("com.microsoft.", StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key["com.microsoft.".Length..], kv => kv.Value);

    public int NodesBefore => Before.Values.Sum();

    public int NodesAfter => After.Values.Sum();

    public static OrtOptimizationReport Analyze(string modelPath, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
    {
        var before = Count(ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath)));
        var optimized = Path.Combine(Path.GetTempPath(), $"mlac-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = level, OptimizedModelFilePath = optimized })
            using (new InferenceSession(modelPath, options))
            {
            }
            return new OrtOptimizationReport(level, before, Count(ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized))));
        }
        finally
        {
            File.Delete(optimized);
            File.Delete(optimized + ".data");
        }
    }

    /// <summary>"Attention×6, SkipLayerNormalization×12 …" (fused operators only), or "none".</summary>
    public string FusedSummary() => Fused.Count == 0 ? "none"
        : string.Join(", ", Fused.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}×{kv.Value}"));

    private static Dictionary<string, int> Count(ModelProto model) =>
        model.Graph.Node.GroupBy(n => string.IsNullOrEmpty(n.Domain) || n.Domain == "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}")
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
