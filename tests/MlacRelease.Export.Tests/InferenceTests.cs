using MlacRelease.Common.Text;
using MlacRelease.Core.Text;
using MlacRelease.Inference;
using TorchSharp;
using Xunit.Abstractions;

namespace MlacRelease.Export.Tests;

/// <summary>EncoderSession on the 2-layer release: same numbers as the TorchSharp encoder, classification, concurrency, disposal, devices.</summary>
[Collection(ExportCollection.Name)]
public sealed class InferenceTests(ExportFixture fixture, ITestOutputHelper output)
{
    private static readonly IReadOnlyList<string> Texts = Sentences.Varied().Where((_, i) => i % 3 == 0).ToList();

    [Fact]
    public void Embeddings_and_logits_equal_the_TorchSharp_computation()
    {
        using var session = EncoderSession.Open(fixture.Release.Folder, fixture.PublicKey);
        session.ExecutionProvider.Should().Be("CPUExecutionProvider");
        session.HasClassifier.Should().BeTrue();
        session.Labels.Should().Equal("nurse", "surgeon", "teacher");

        var mean = session.Embed(Texts, Pooling.Mean);
        var cls = session.Embed(Texts, Pooling.Cls);
        var pooler = session.Embed(Texts, Pooling.Pooler);
        var classes = session.Classify(Texts);

        double worst = 0;
        for (var i = 0; i < Texts.Count; i++)
        {
            // Each text alone in TorchSharp: the session batches by length, and padding must not change a text's result.
            var (hidden, pooled, logits) = Reference(Texts[i]);
            var tokens = hidden.GetLength(0);
            var expectedMean = Enumerable.Range(0, hidden.GetLength(1)).Select(d => Enumerable.Range(0, tokens).Average(t => (double)hidden[t, d])).ToArray();
            worst = new[]
            {
                MaxAbsDiff(mean[i], expectedMean),
                MaxAbsDiff(cls[i], Enumerable.Range(0, hidden.GetLength(1)).Select(d => (double)hidden[0, d]).ToArray()),
                MaxAbsDiff(pooler[i], pooled.Select(v => (double)v).ToArray()),
                MaxAbsDiff(classes[i].Logits, logits.Select(v => (double)v).ToArray()),
            }.Append(worst).Max();
            classes[i].Probabilities.Sum().Should().BeApproximately(1f, 1e-5f);
            classes[i].Index.Should().Be(Array.IndexOf(logits, logits.Max()));
            classes[i].Label.Should().Be(session.Labels![classes[i].Index]);
        }
        output.WriteLine($"{Texts.Count} texts: max |Δ| of mean/CLS/pooler embeddings and logits vs TorchSharp = {worst:E3}");
        worst.Should().BeLessThanOrEqualTo(1e-4);
    }

    [Fact]
    public void Dynamic_batch_and_sequence_shapes_run()
    {
        using var session = EncoderSession.Open(fixture.Release.Folder, fixture.PublicKey);
        var random = new Random(5);
        foreach (var (batch, length) in new[] { (1, 1), (1, 2), (2, 7), (17, 3), (3, 128), (1, 512) })
        {
            var ids = Enumerable.Range(0, batch * length).Select(_ => (long)random.Next(1000, 30000)).ToArray();
            var mask = Enumerable.Range(0, batch * length).Select(i => i % length < Math.Max(1, length - (i / length) % 3) ? 1L : 0L).ToArray();
            var result = session.Run(new TokenizedBatch(batch, length, ids, mask, new long[batch * length]));
            result.LastHiddenState.Should().HaveCount(batch * length * 384);
            result.PoolerOutput.Should().HaveCount(batch * 384);
            result.Logits.Should().HaveCount(batch * 3);
            result.LastHiddenState.Should().OnlyContain(v => float.IsFinite(v));
        }
    }

    [Fact]
    public void Concurrent_callers_from_8_threads_get_the_serial_results_and_a_stress_loop_survives()
    {
        using var session = EncoderSession.Open(fixture.Release.Folder, fixture.PublicKey, new EncoderSessionOptions { MaxBatchSize = 4 });
        var texts = Texts.Take(12).ToList();
        var serial = session.Embed(texts);
        var serialClasses = session.Classify(texts);
        const int threads = 8, rounds = 40;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var runs = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var round = 0; round < rounds; round++)
            {
                if ((t + round) % 2 == 0)
                {
                    var embedded = session.Embed(texts);
                    for (var i = 0; i < texts.Count; i++)
                        if (!embedded[i].AsSpan().SequenceEqual(serial[i])) failures.Enqueue($"thread {t} round {round}: embedding {i} differs");
                }
                else
                {
                    var classes = session.Classify(texts);
                    for (var i = 0; i < texts.Count; i++)
                        if (!classes[i].Logits.AsSpan().SequenceEqual(serialClasses[i].Logits)) failures.Enqueue($"thread {t} round {round}: logits {i} differ");
                }
                Interlocked.Add(ref runs, (texts.Count + 3) / 4);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        output.WriteLine($"{threads} threads × {rounds} rounds: {runs} session runs, {failures.Count} mismatches");
        failures.Should().BeEmpty();
        runs.Should().BeGreaterThanOrEqualTo(300);
    }

    [Fact]
    public void Dispose_waits_for_callers_and_later_calls_are_refused()
    {
        var session = EncoderSession.Open(fixture.Release.Folder, fixture.PublicKey);
        var running = Task.Run(() => { for (var i = 0; i < 20; i++) session.Embed(Texts.Take(4).ToList()); });
        Thread.Sleep(20);
        session.Dispose();
        // The loop either finished or was refused cleanly; it never crashed inside ONNX Runtime.
        var outcome = Record.Exception(() => running.GetAwaiter().GetResult());
        (outcome is null or ObjectDisposedException).Should().BeTrue(outcome?.ToString());
        ((Action)(() => session.Embed("after"))).Should().Throw<ObjectDisposedException>();
        session.Dispose();
    }

    [Fact]
    public void CUDA_on_request_falls_back_to_the_CPU_with_a_reason_when_CUDA_is_missing()
    {
        using var session = EncoderSession.Open(fixture.Release.Folder, fixture.PublicKey, new EncoderSessionOptions { Device = ExecutionDevice.Cuda });
        output.WriteLine($"{session.ExecutionProvider}: {session.FallbackReason ?? "(no fallback)"}");
        if (session.ExecutionProvider == "CUDAExecutionProvider")
        {
            session.FallbackReason.Should().BeNull();
        }
        else
        {
            session.ExecutionProvider.Should().Be("CPUExecutionProvider");
            session.FallbackReason.Should().Contain("CUDA").And.Contain("CPU");
            var strict = () => EncoderSession.Open(fixture.Release.Folder, fixture.PublicKey, new EncoderSessionOptions { Device = ExecutionDevice.Cuda, AllowCpuFallback = false });
            strict.Should().Throw<InvalidOperationException>().WithMessage("*CUDA*");
        }
        session.Embed("runs either way").Should().HaveCount(384);
    }

    [Fact]
    public void Inference_depends_on_neither_TorchSharp_nor_Core()
    {
        var references = typeof(EncoderSession).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        references.Should().Contain("Microsoft.ML.OnnxRuntime").And.Contain("MlacRelease.Common");
        references.Should().NotContain(name => name!.StartsWith("TorchSharp") || name == "MlacRelease.Core" || name == "MlacRelease.Export");
    }

    /// <summary>last_hidden_state [tokens, hidden], pooler_output and logits for one text, from TorchSharp.</summary>
    private (float[,] Hidden, float[] Pooled, float[] Logits) Reference(string text)
    {
        var batch = fixture.Tokenizer.EncodeBatch([text]);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (ids, mask, types) = batch.ToTensors();
        using var result = fixture.TwoLayers.Forward(ids, mask, types);
        var hidden = result.LastHiddenState[0].data<float>().ToArray();
        var matrix = new float[batch.Length, 384];
        Buffer.BlockCopy(hidden, 0, matrix, 0, hidden.Length * sizeof(float));
        return (matrix, result.PooledOutput[0].data<float>().ToArray(), fixture.Head.Apply(result.PooledOutput)[0].data<float>().ToArray());
    }

    private static double MaxAbsDiff(float[] a, double[] b)
    {
        a.Length.Should().Be(b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }
}
