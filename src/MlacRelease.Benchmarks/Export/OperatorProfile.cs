using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace MlacRelease.Benchmarks.Export;

/// <summary>
/// Where a model's run time goes, by operator type, from ONNX Runtime's own profiler (kernel times of a few runs).
/// It shows how much of the time is GEMM, which no graph rewrite with the same weights and precision can remove.
/// </summary>
internal static class OperatorProfile
{
    /// <summary>Share of kernel time per operator type, largest first.</summary>
    public static IReadOnlyList<(string Op, double Share)> Measure(string modelPath, SessionOptions template, Action<InferenceSession> run, int runs)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"mlac-profile-{Guid.NewGuid():N}");
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = template.GraphOptimizationLevel,
            IntraOpNumThreads = template.IntraOpNumThreads,
            InterOpNumThreads = template.InterOpNumThreads,
            ExecutionMode = template.ExecutionMode,
            EnableProfiling = true,
            ProfileOutputPathPrefix = prefix,
        };
        string trace;
        using (var session = new InferenceSession(modelPath, options))
        {
            for (var i = 0; i < runs; i++) run(session);
            trace = session.EndProfiling();
        }
        try
        {
            var totals = new Dictionary<string, double>(StringComparer.Ordinal);
            using var document = JsonDocument.Parse(File.ReadAllBytes(trace));
            foreach (var e in document.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                var op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                totals[op] = totals.GetValueOrDefault(op) + e.GetProperty("dur").GetDouble();
            }
            var sum = totals.Values.Sum();
            return totals.OrderByDescending(kv => kv.Value).Select(kv => (kv.Key, kv.Value / sum)).ToList();
        }
        finally
        {
            File.Delete(trace);
        }
    }
}
