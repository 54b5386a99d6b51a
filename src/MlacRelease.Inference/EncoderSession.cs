using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlacRelease.Common.Release;
using MlacRelease.Common.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Inference;

/// <summary>
/// Serves a released encoder with ONNX Runtime: tokenizes, batches, runs, pools, classifies. Safe for concurrent
/// callers (ONNX Runtime sessions allow concurrent Run; every per-call handle is owned by its call). Dispose waits
/// for running calls and then frees every native handle.
/// </summary>
public sealed class EncoderSession : IDisposable
{
    private static readonly string[] InputNames = [OnnxIoNames.InputIds, OnnxIoNames.AttentionMask, OnnxIoNames.TokenTypeIds];

    private readonly InferenceSession _session;
    private readonly UsageGate _gate = new(nameof(EncoderSession));
    private readonly object _tokenizerLock = new();
    private readonly string[] _outputNames;
    private readonly int _maxBatchSize;

    private EncoderSession(InferenceSession session, BertTextTokenizer tokenizer, ReleaseModelConfig config, string provider, string? fallbackReason, int maxBatchSize)
    {
        _session = session;
        Tokenizer = tokenizer;
        ExecutionProvider = provider;
        FallbackReason = fallbackReason;
        _maxBatchSize = maxBatchSize;
        try
        {
            var outputs = session.OutputMetadata;
            foreach (var required in new[] { OnnxIoNames.LastHiddenState, OnnxIoNames.PoolerOutput })
            {
                if (!outputs.ContainsKey(required)) throw new MlacInputException($"the model has no '{required}' output; it is not an encoder export of this toolkit");
            }
            foreach (var input in InputNames)
            {
                if (!session.InputMetadata.ContainsKey(input)) throw new MlacInputException($"the model has no '{input}' input");
            }
            HasClassifier = outputs.ContainsKey(OnnxIoNames.Logits);
            _outputNames = HasClassifier
                ? [OnnxIoNames.LastHiddenState, OnnxIoNames.PoolerOutput, OnnxIoNames.Logits]
                : [OnnxIoNames.LastHiddenState, OnnxIoNames.PoolerOutput];
            HiddenSize = checked((int)outputs[OnnxIoNames.PoolerOutput].Dimensions[^1]);
            var metadata = session.ModelMetadata.CustomMetadataMap;
            Metadata = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
            Labels = metadata.TryGetValue(OnnxMetadataKeys.Labels, out var labels) ? JsonSerializer.Deserialize<string[]>(labels) : null;
            CheckTokenizerAgreesWithModel(metadata);
            CheckConfigLabelsAgreeWithModel(config, HasClassifier ? outputs[OnnxIoNames.Logits].Dimensions[^1] : 0);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Opens a release folder signed by the key at <paramref name="publicKeyPath"/> and starts a session on it.</summary>
    public static EncoderSession Open(string releaseFolder, string publicKeyPath, EncoderSessionOptions? options = null) =>
        Open(ReleaseFolder.Open(releaseFolder, ReleaseTrust.SignedBy(publicKeyPath)), options);

    /// <summary>Opens a release folder under the given trust (<see cref="ReleaseTrust.Unsigned"/> is an explicit opt-in).</summary>
    public static EncoderSession Open(string releaseFolder, ReleaseTrust trust, EncoderSessionOptions? options = null) =>
        Open(ReleaseFolder.Open(releaseFolder, trust), options);

    public static EncoderSession Open(ReleaseFolder folder, EncoderSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options ??= new EncoderSessionOptions();
        if (options.MaxBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxBatchSize must be at least 1");
        var tokenizer = folder.CreateTokenizer();
        // The verified bytes, never the path: ONNX Runtime loading by path would read the file again, and resolve
        // external data from whatever file an initializer names.
        var model = folder.ModelBytes();
        var created = OrtSessionFactory.Create(options, sessionOptions => new InferenceSession(model, sessionOptions));
        return new EncoderSession(created.Session, tokenizer, folder.Config, created.Provider, created.FallbackReason, options.MaxBatchSize);
    }

    public BertTextTokenizer Tokenizer { get; }

    /// <summary>"CPUExecutionProvider" or "CUDAExecutionProvider".</summary>
    public string ExecutionProvider { get; }

    /// <summary>Why the session runs on the CPU although CUDA was asked for; null otherwise.</summary>
    public string? FallbackReason { get; }

    public bool HasClassifier { get; }

    /// <summary>Class names in logits order, when the model records them.</summary>
    public IReadOnlyList<string>? Labels { get; }

    public int HiddenSize { get; }

    /// <summary>The model's metadata_props (weight digest, certificate digest, tokenizer settings …).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public TokenizedBatch Tokenize(IReadOnlyList<string> texts)
    {
        lock (_tokenizerLock) return Tokenizer.EncodeBatch(texts);
    }

    /// <summary>Runs one tokenized batch as it is.</summary>
    public EncoderResult Run(TokenizedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var cells = checked(batch.BatchSize * batch.Length);
        if (batch.BatchSize < 1 || batch.Length < 1 || batch.InputIds.Length != cells || batch.AttentionMask.Length != cells || batch.TokenTypeIds.Length != cells)
            throw new ArgumentException($"a batch of {batch.BatchSize} × {batch.Length} needs three arrays of {cells} ids", nameof(batch));
        using var pass = _gate.Enter();
        long[] shape = [batch.BatchSize, batch.Length];
        // Every handle is held until Run has returned: a RunOptions or OrtValue finalised during the native call
        // crashes the process (platform notes).
        using var runOptions = new RunOptions();
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        using var outputs = _session.Run(runOptions, InputNames, [ids, mask, types], _outputNames);
        var logits = HasClassifier ? Finite(outputs[2].GetTensorDataAsSpan<float>().ToArray(), OnnxIoNames.Logits) : null;
        var classes = logits is null ? 0 : logits.Length / batch.BatchSize;
        return new EncoderResult(batch.BatchSize, batch.Length, HiddenSize,
            Finite(outputs[0].GetTensorDataAsSpan<float>().ToArray(), OnnxIoNames.LastHiddenState),
            Finite(outputs[1].GetTensorDataAsSpan<float>().ToArray(), OnnxIoNames.PoolerOutput), logits, classes);
    }

    /// <summary>A NaN or infinity is never served as an answer: it means the model is broken (or was made to be).</summary>
    private static float[] Finite(float[] values, string output)
    {
        var bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0) throw new MlacInputException($"the model produced a non-finite value ({values[bad]}) in output '{output}' at element {bad}; refusing to serve it");
        return values;
    }

    public float[] Embed(string text, Pooling pooling = Pooling.Mean, bool normalize = false) => Embed([text], pooling, normalize)[0];

    /// <summary>One embedding per text, in order; texts are sent in batches of similar length (less padding).</summary>
    public float[][] Embed(IReadOnlyList<string> texts, Pooling pooling = Pooling.Mean, bool normalize = false) =>
        Batched(texts, (batch, result, row) =>
        {
            var vector = EmbeddingPooling.Pool(result, batch, row, pooling);
            if (normalize) EmbeddingPooling.Normalize(vector);
            return vector;
        });

    /// <summary>Softmax probabilities over the classification head's logits, one result per text.</summary>
    public Classification[] Classify(IReadOnlyList<string> texts)
    {
        if (!HasClassifier) throw new InvalidOperationException("this model has no classification head (no 'logits' output); use Embed");
        return Batched(texts, (_, result, row) =>
        {
            var logits = result.LogitsOf(row).ToArray();
            var probabilities = Softmax.Of(logits);
            var best = Array.IndexOf(probabilities, probabilities.Max());
            return new Classification(best, Labels is { } labels && best < labels.Count ? labels[best] : null, probabilities, logits);
        });
    }

    public Classification Classify(string text) => Classify([text])[0];

    public void Dispose()
    {
        if (_gate.Close()) _session.Dispose();
    }

    /// <summary>Sorts texts by token count, runs them in batches of at most MaxBatchSize, and returns results in input order.</summary>
    private T[] Batched<T>(IReadOnlyList<string> texts, Func<TokenizedBatch, EncoderResult, int, T> take)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) return [];
        using var pass = _gate.Enter();
        int[] lengths;
        lock (_tokenizerLock) lengths = texts.Select(t => Tokenizer.Encode(t ?? throw new ArgumentException("a text is null", nameof(texts))).Count).ToArray();
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => lengths[i]).ToArray();
        var results = new T[texts.Count];
        for (var start = 0; start < order.Length; start += _maxBatchSize)
        {
            var slice = order.AsSpan(start, Math.Min(_maxBatchSize, order.Length - start)).ToArray();
            var batch = Tokenize(slice.Select(i => texts[i]).ToList());
            var result = Run(batch);
            for (var row = 0; row < slice.Length; row++) results[slice[row]] = take(batch, result, row);
        }
        return results;
    }

    /// <summary>tokenizer.json and the settings recorded in the model at export must agree, or text would be cut differently.</summary>
    private void CheckTokenizerAgreesWithModel(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(OnnxMetadataKeys.Tokenizer, out var json)) return;
        var recorded = TokenizerSettingsJson.Parse(json, $"model metadata '{OnnxMetadataKeys.Tokenizer}'");
        if (recorded != Tokenizer.Settings)
            throw new MlacInputException($"{ReleaseFileNames.Tokenizer} ({TokenizerSettingsJson.ToJson(Tokenizer.Settings)}) disagrees with the tokenizer settings recorded in the model at export ({json})");
    }

    /// <summary>config.json's id2label is what Hugging Face's text-classification names classes by: it must describe
    /// this model's head (as many classes as logits, the names the model records), or the two would disagree.</summary>
    private void CheckConfigLabelsAgreeWithModel(ReleaseModelConfig config, long classes)
    {
        if (!HasClassifier)
        {
            if (config.Labels is not null) throw new MlacInputException($"{ReleaseFileNames.Config} names {config.Labels.Count} classes, but the model has no classification head");
            return;
        }
        var expected = Labels ?? (classes > 0 ? ReleaseModelConfig.DefaultLabels(checked((int)classes)) : null);
        if (config.Labels is null || (expected is not null && !config.Labels.SequenceEqual(expected, StringComparer.Ordinal)))
            throw new MlacInputException($"{ReleaseFileNames.Config}'s id2label ({(config.Labels is null ? "none" : string.Join(", ", config.Labels))}) does not name the model's classes ({(expected is null ? $"{classes}" : string.Join(", ", expected))})");
    }
}
