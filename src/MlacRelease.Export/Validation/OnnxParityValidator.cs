using Microsoft.ML.OnnxRuntime;
using MlacRelease.Common.Errors;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using MlacRelease.Core.Weights;
using MlacRelease.Export.Onnx;
using TorchSharp;

namespace MlacRelease.Export.Validation;

/// <summary>
/// Export-time validation: runs ONNX Runtime on the written model and the TorchSharp encoder (in fp64 for an fp32 graph) on the same batches, of
/// batch sizes and lengths the graph was never specialised to, and compares output names, shapes and values.
/// </summary>
public static class OnnxParityValidator
{
    /// <summary>Compares and throws <see cref="ParityException"/> with a message naming the first failing output and batch.</summary>
    public static ParityReport Validate(EncoderWeights weights, string modelPath, ClassificationHead? head = null, ParityOptions? options = null)
    {
        var report = Compare(weights, modelPath, head, options);
        if (!report.Passed)
        {
            var failure = report.Cases.Select(c => c.Failure(report.Tolerance)).First(f => f is not null);
            throw new ParityException($"{modelPath}: ONNX Runtime and the TorchSharp encoder disagree: {failure}. {report.Summary()}", report);
        }
        return report;
    }

    /// <summary>Compares without judging (names and shapes must still agree: a mismatch there throws).</summary>
    public static ParityReport Compare(EncoderWeights weights, string modelPath, ClassificationHead? head = null, ParityOptions? options = null) =>
        Compare(weights, modelPath, sessionOptions => new InferenceSession(modelPath, sessionOptions), IsInt8(File.ReadAllBytes(modelPath)), head, options);

    /// <summary>Compares a model given as bytes (the verified bytes a gate read once), so ONNX Runtime runs exactly those.</summary>
    public static ParityReport Compare(EncoderWeights weights, byte[] model, string source, ClassificationHead? head = null, ParityOptions? options = null) =>
        Compare(weights, source, sessionOptions => new InferenceSession(model, sessionOptions), IsInt8(model), head, options);

    /// <summary>An int8 graph (<see cref="OnnxGraphFlavor.Int8"/>) is compared with the TorchSharp encoder whose Linear
    /// inputs go through ONNX Runtime's dynamic quantization (<see cref="Int8Quantization.SimulateDynamicActivation"/>),
    /// on the dequantized weights the graph holds; what remains is fp32 summation order.</summary>
    private static bool IsInt8(byte[] model) =>
        EncoderOnnxExporter.FlavorOf(OnnxBertImporter.Parse(model, "model")) == OnnxGraphFlavor.Int8;

    private static ParityReport Compare(EncoderWeights weights, string modelPath, Func<SessionOptions, InferenceSession> load, bool int8,
        ClassificationHead? head, ParityOptions? options)
    {
        ArgumentNullException.ThrowIfNull(weights);
        options ??= new ParityOptions();
        if (!(options.Tolerance >= 0)) throw new MlacInputException("tolerance must be a non-negative number");
        List<string> expected = [OnnxIoNames.LastHiddenState, OnnxIoNames.PoolerOutput];
        if (head is not null) expected.Add(OnnxIoNames.Logits);

        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = load(sessionOptions);
        var actual = session.OutputNames.ToList();
        if (!actual.SequenceEqual(expected))
            throw new ParityException($"{modelPath}: outputs are [{string.Join(", ", actual)}]; expected [{string.Join(", ", expected)}]");

        // An fp32 graph is held to the weights' function computed in fp64, so parity measures the ONNX file's error and
        // not libtorch's fp32 rounding on the checking machine: on an Intel Xeon with AVX-512, MKL's fp32 kernels put the
        // TorchSharp encoder 2.1E-04 from fp64 on MiniLM, ONNX Runtime 6.9E-05 (0.5E-04 and 6.9E-05 with MKL held to AVX2).
        // An int8 graph keeps the fp32 reference, whose simulated activation rounding is what ONNX Runtime does, and
        // measures that reference's own noise against the same simulation in fp64. Converted once, not per batch.
        using var fp64 = weights.To(weights.Device, torch.ScalarType.Float64);
        var reference = int8 ? weights : fp64;
        var exact = int8 ? fp64 : null;
        var cases = new List<ParityCase>();
        foreach (var (description, batch) in Batches(weights.Config, options))
        {
            cases.Add(CompareBatch(reference, exact, head, session, expected, description, batch, modelPath, int8));
        }
        return new ParityReport(cases, expected, options.Tolerance);
    }

    private static ParityCase CompareBatch(EncoderWeights reference, EncoderWeights? exactWeights, ClassificationHead? head, InferenceSession session,
        IReadOnlyList<string> outputNames, string description, TokenizedBatch batch, string modelPath, bool int8)
    {
        var ort = RunOnnxRuntime(session, batch, outputNames);
        var torchOutputs = RunTorch(reference, head, batch, int8);
        var exact = exactWeights is null ? null : RunTorch(exactWeights, head, batch, int8);
        var noise = exact?.Keys.ToDictionary(n => n, n => (MaxAbsDiff(exact[n].Item2, torchOutputs[n].Item2), MeanAbsDiff(exact[n].Item2, torchOutputs[n].Item2)), StringComparer.Ordinal);
        var diffs = new Dictionary<string, double>(StringComparer.Ordinal);
        var means = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in outputNames)
        {
            var (ortShape, ortValues) = ort[name];
            var (torchShape, torchValues) = torchOutputs[name];
            if (!ortShape.SequenceEqual(torchShape))
                throw new ParityException($"{modelPath}: output '{name}' has shape [{string.Join(", ", ortShape)}] in ONNX Runtime but [{string.Join(", ", torchShape)}] in the encoder, on {description}");
            diffs[name] = MaxAbsDiff(ortValues, torchValues);
            means[name] = MeanAbsDiff(ortValues, torchValues);
        }
        return new ParityCase(description, batch.BatchSize, batch.Length, diffs) { MeanAbsDiff = means, ReferenceNoise = noise };
    }

    private static Dictionary<string, (long[] Shape, float[] Values)> RunOnnxRuntime(InferenceSession session, TokenizedBatch batch, IReadOnlyList<string> outputNames)
    {
        long[] shape = [batch.BatchSize, batch.Length];
        // Every native handle lives until the call has returned (a finalised RunOptions mid-call crashes ORT).
        using var runOptions = new RunOptions();
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        using var outputs = session.Run(runOptions, [OnnxIoNames.InputIds, OnnxIoNames.AttentionMask, OnnxIoNames.TokenTypeIds], [ids, mask, types], outputNames.ToArray());
        var result = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        for (var i = 0; i < outputNames.Count; i++)
        {
            result[outputNames[i]] = (outputs[i].GetTensorTypeAndShape().Shape, outputs[i].GetTensorDataAsSpan<float>().ToArray());
        }
        return result;
    }

    private static Dictionary<string, (long[], float[])> RunTorch(EncoderWeights weights, ClassificationHead? head, TokenizedBatch batch, bool int8)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (ids, mask, types) = batch.ToTensors(weights.Device);
        using var output = BertEncoder.Forward(weights.Config, weights.Tensors, ids, mask, types,
            linearInputs: int8 ? Int8Quantization.SimulateDynamicActivation : null);
        var result = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal)
        {
            [OnnxIoNames.LastHiddenState] = Host(output.LastHiddenState),
            [OnnxIoNames.PoolerOutput] = Host(output.PooledOutput),
        };
        if (head is not null) result[OnnxIoNames.Logits] = Host(head.Apply(output.PooledOutput));
        return result;
    }

    private static (long[], float[]) Host(torch.Tensor t)
    {
        using var host = t.detach().to(torch.ScalarType.Float32, torch.CPU).contiguous();
        return (host.shape, host.data<float>().ToArray());
    }

    /// <summary>Mean |a − b|; NaN when either side holds a non-finite value.</summary>
    private static double MeanAbsDiff(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!float.IsFinite(a[i]) || !float.IsFinite(b[i])) return double.NaN;
            sum += Math.Abs((double)a[i] - b[i]);
        }
        return a.Length == 0 ? 0 : sum / a.Length;
    }

    /// <summary>Largest |a − b|; a non-finite value on either side is infinitely far (NaN must never compare as small).</summary>
    private static double MaxAbsDiff(float[] a, float[] b)
    {
        double worst = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!float.IsFinite(a[i]) || !float.IsFinite(b[i])) return double.PositiveInfinity;
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        }
        return worst;
    }

    /// <summary>Synthetic batches (random ids, random real lengths with padding, both token types) of every
    /// size × length, then the given texts in batches of rotating sizes.</summary>
    private static IEnumerable<(string, TokenizedBatch)> Batches(EncoderConfig config, ParityOptions options)
    {
        if (options.BatchSizes.Count == 0 || options.BatchSizes.Any(b => b < 1)) throw new ArgumentException("batch sizes must be positive and at least one must be given");
        if (options.SequenceLengths.Any(l => l < 1 || l > config.MaxPositionEmbeddings))
            throw new ArgumentException($"sequence lengths must be 1..{config.MaxPositionEmbeddings}");
        var random = new Random(options.Seed);
        foreach (var size in options.BatchSizes)
        {
            foreach (var length in options.SequenceLengths)
            {
                yield return ($"a synthetic batch of {size} × {length} tokens", Synthetic(config, random, size, length));
            }
        }
        if (options.Texts is { Count: > 0 } texts)
        {
            var tokenizer = options.Tokenizer ?? throw new ArgumentException("texts need a tokenizer");
            for (int index = 0, b = 0; index < texts.Count; b++)
            {
                var size = Math.Min(options.BatchSizes[b % options.BatchSizes.Count], texts.Count - index);
                var batch = tokenizer.EncodeBatch(texts.Skip(index).Take(size).ToList());
                yield return ($"texts {index}..{index + size - 1} ({size} × {batch.Length} tokens)", batch);
                index += size;
            }
        }
    }

    private static TokenizedBatch Synthetic(EncoderConfig config, Random random, int size, int length)
    {
        var ids = new long[size * length];
        var mask = new long[size * length];
        var types = new long[size * length];
        for (var row = 0; row < size; row++)
        {
            // Row 0 fills the batch; the others are padded to it, as a tokenizer pads.
            var real = row == 0 ? length : random.Next(1, length + 1);
            var secondSegment = config.TypeVocabSize > 1 ? random.Next(1, real + 1) : real;
            for (var i = 0; i < length; i++)
            {
                var at = row * length + i;
                var isReal = i < real;
                ids[at] = isReal ? random.Next(config.VocabSize) : config.PadTokenId;
                mask[at] = isReal ? 1 : 0;
                types[at] = isReal && i >= secondSegment ? 1 : 0;
            }
        }
        return new TokenizedBatch(size, length, ids, mask, types);
    }
}
