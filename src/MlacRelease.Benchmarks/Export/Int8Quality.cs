using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Evaluation;
using TorchSharp;

namespace MlacRelease.Benchmarks.Export;

/// <summary>
/// What int8 costs in outputs and in the desired task, measured through ONNX Runtime on real text (the built-in bios
/// corpus, profession = desired label): max and mean |Δ| of last_hidden_state over real tokens, cosine of the
/// mean-pooled embeddings and of pooler_output, and desired-task test accuracy of (a) a logistic-regression probe fitted
/// on each model's own embeddings and (b) a head fitted on the fp32 embeddings and applied unchanged to the int8 ones
/// (a shipped classifier). Train and test are disjoint slices of one generated corpus.
/// </summary>
internal static class Int8Quality
{
    public static string Report(string fp32Path, string int8Path, string vocabulary, int trainCount, int testCount)
    {
        var examples = BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = trainCount + testCount, Seed = 11 }).ToList();
        var labels = examples.Select(e => e.DesiredLabel).Distinct().Order(StringComparer.Ordinal).ToList();
        var y = examples.Select(e => (long)labels.IndexOf(e.DesiredLabel)).ToArray();
        var tokenizer = new BertTextTokenizer(vocabulary, new TokenizerSettings { MaxLength = 128 });
        var texts = examples.Select(e => e.Text).ToList();

        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount };
        using var fp32 = new InferenceSession(fp32Path, sessionOptions);
        using var int8 = new InferenceSession(int8Path, sessionOptions);
        var stats = new DiffStats();
        var (fp32Mean, fp32Pooled, int8Mean, int8Pooled) = (new List<float[]>(), new List<float[]>(), new List<float[]>(), new List<float[]>());
        for (var start = 0; start < texts.Count; start += 32)
        {
            var batch = tokenizer.EncodeBatch(texts.Skip(start).Take(32).ToList());
            var a = Run(fp32, batch);
            var b = Run(int8, batch);
            stats.Add(a.Hidden, b.Hidden, batch);
            fp32Mean.AddRange(MeanPool(a.Hidden, batch));
            int8Mean.AddRange(MeanPool(b.Hidden, batch));
            fp32Pooled.AddRange(Rows(a.Pooled, a.Pooled.Length / batch.BatchSize));
            int8Pooled.AddRange(Rows(b.Pooled, b.Pooled.Length / batch.BatchSize));
        }

        var report = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        report.AppendLine(string.Create(inv, $"- last_hidden_state over {stats.Count:N0} real-token values ({texts.Count} texts): max |Δ| {stats.Max:E2}, mean |Δ| {stats.Mean:E2}"));
        report.AppendLine(string.Create(inv, $"- cosine int8 vs fp32, mean-pooled embedding: min {Cosines(fp32Mean, int8Mean).Min():F5}, mean {Cosines(fp32Mean, int8Mean).Average():F5}; pooler_output: min {Cosines(fp32Pooled, int8Pooled).Min():F5}, mean {Cosines(fp32Pooled, int8Pooled).Average():F5}"));

        using var scope = torch.NewDisposeScope();
        var train = Enumerable.Range(0, trainCount).ToArray();
        var test = Enumerable.Range(trainCount, testCount).ToArray();
        var fp32Probe = Fit(fp32Mean, y, train, labels.Count);
        var int8Probe = Fit(int8Mean, y, train, labels.Count);
        var fp32Accuracy = Accuracy(fp32Probe, fp32Mean, y, test);
        var int8ProbeAccuracy = Accuracy(int8Probe, int8Mean, y, test);
        var headOnInt8 = Accuracy(fp32Probe, int8Mean, y, test);
        report.AppendLine(string.Create(inv, $"- desired task ({labels.Count} professions, {trainCount} train / {testCount} test texts), test accuracy:"));
        report.AppendLine(string.Create(inv, $"  - probe refitted on each model's embeddings: fp32 {fp32Accuracy:P2}, int8 {int8ProbeAccuracy:P2} (drop {(fp32Accuracy - int8ProbeAccuracy) * 100:F2} points; goal ≤ 0.5)"));
        report.AppendLine(string.Create(inv, $"  - head fitted on fp32, applied unchanged to int8: fp32 {fp32Accuracy:P2}, int8 {headOnInt8:P2} (drop {(fp32Accuracy - headOnInt8) * 100:F2} points; goal ≤ 0.5)"));
        return report.ToString();
    }

    private static LogisticRegressionModel Fit(List<float[]> features, long[] y, int[] rows, int classes)
    {
        using var x = Matrix(features, rows);
        using var labels = torch.tensor(rows.Select(r => y[r]).ToArray());
        return LogisticRegressionProbe.Fit(x, labels, classes, new LogisticRegressionOptions { L2 = 1e-2 });
    }

    private static double Accuracy(LogisticRegressionModel model, List<float[]> features, long[] y, int[] rows)
    {
        using var x = Matrix(features, rows);
        using var logits = model.Logits(x);
        using var predicted = logits.argmax(1);
        var p = predicted.data<long>().ToArray();
        return rows.Select((r, i) => p[i] == y[r] ? 1.0 : 0.0).Average();
    }

    private static torch.Tensor Matrix(List<float[]> features, int[] rows)
    {
        var width = features[0].Length;
        var data = new float[rows.Length * width];
        for (var i = 0; i < rows.Length; i++) features[rows[i]].CopyTo(data, i * width);
        return torch.tensor(data, [rows.Length, width]);
    }

    private static (float[] Hidden, float[] Pooled) Run(InferenceSession session, TokenizedBatch batch)
    {
        long[] shape = [batch.BatchSize, batch.Length];
        using var runOptions = new RunOptions();
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        using var outputs = session.Run(runOptions, [OnnxIoNames.InputIds, OnnxIoNames.AttentionMask, OnnxIoNames.TokenTypeIds], [ids, mask, types],
            [OnnxIoNames.LastHiddenState, OnnxIoNames.PoolerOutput]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    private static IEnumerable<float[]> MeanPool(float[] hidden, TokenizedBatch batch)
    {
        var width = hidden.Length / (batch.BatchSize * batch.Length);
        for (var row = 0; row < batch.BatchSize; row++)
        {
            var sum = new float[width];
            var count = 0;
            for (var t = 0; t < batch.Length; t++)
            {
                if (batch.AttentionMask[row * batch.Length + t] == 0) continue;
                count++;
                var offset = (row * batch.Length + t) * width;
                for (var i = 0; i < width; i++) sum[i] += hidden[offset + i];
            }
            for (var i = 0; i < width; i++) sum[i] /= Math.Max(count, 1);
            yield return sum;
        }
    }

    private static IEnumerable<float[]> Rows(float[] values, int width) =>
        Enumerable.Range(0, values.Length / width).Select(r => values.AsSpan(r * width, width).ToArray());

    private static IEnumerable<double> Cosines(List<float[]> a, List<float[]> b) => a.Zip(b, (u, v) =>
    {
        double dot = 0, nu = 0, nv = 0;
        for (var i = 0; i < u.Length; i++)
        {
            dot += (double)u[i] * v[i];
            nu += (double)u[i] * u[i];
            nv += (double)v[i] * v[i];
        }
        return dot / Math.Sqrt(nu * nv);
    });

    /// <summary>|Δ| over the real (unpadded) tokens of last_hidden_state.</summary>
    private sealed class DiffStats
    {
        private double _sum;

        public long Count { get; private set; }

        public double Max { get; private set; }

        public double Mean => Count == 0 ? 0 : _sum / Count;

        public void Add(float[] a, float[] b, TokenizedBatch batch)
        {
            var width = a.Length / (batch.BatchSize * batch.Length);
            for (var token = 0; token < batch.BatchSize * batch.Length; token++)
            {
                if (batch.AttentionMask[token] == 0) continue;
                for (var i = token * width; i < (token + 1) * width; i++)
                {
                    var d = Math.Abs((double)a[i] - b[i]);
                    _sum += d;
                    Max = Math.Max(Max, d);
                    Count++;
                }
            }
        }
    }
}
