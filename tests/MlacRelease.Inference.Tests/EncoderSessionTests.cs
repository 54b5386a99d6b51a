using MlacRelease.Common.Errors;
using MlacRelease.Common.Release;

namespace MlacRelease.Inference.Tests;

/// <summary>EncoderSession end to end (verified folder → tokenizer → ONNX Runtime → pooling, softmax) on an encoder
/// whose outputs are known by hand (<see cref="LookupEncoderRelease"/>).</summary>
public sealed class EncoderSessionTests : IDisposable
{
    private readonly LookupEncoderRelease _release = new();

    public void Dispose() => _release.Dispose();

    private static double[] MeanOfRows(params int[] ids) =>
        Enumerable.Range(0, LookupEncoderRelease.Hidden).Select(d => ids.Average(id => (double)LookupEncoderRelease.Row(id)[d])).ToArray();

    [Fact]
    public void Mean_embeddings_are_the_mean_rows_of_a_texts_own_tokens_whatever_it_is_batched_with()
    {
        using var session = EncoderSession.Open(_release.Folder, _release.PublicKey);
        session.HiddenSize.Should().Be(LookupEncoderRelease.Hidden);
        // "red" is padded to the length of the longer text in one batch; padding must not reach its vector.
        var vectors = session.Embed(["red", "green blue green"]);
        vectors[0].Should().Equal(MeanOfRows(2, 5, 3).Select(v => (float)v));               // [CLS] red [SEP]
        vectors[1].Should().Equal(MeanOfRows(2, 6, 7, 6, 3).Select(v => (float)v));         // [CLS] green blue green [SEP]
        session.Embed("red").Should().Equal(vectors[0]);
        session.Embed("red", Pooling.Cls).Should().Equal(LookupEncoderRelease.Row(2));
    }

    [Fact]
    public void Classify_is_the_softmax_of_the_logits_the_graph_computes_named_by_the_models_labels()
    {
        using var session = EncoderSession.Open(_release.Folder, _release.PublicKey);
        session.Labels.Should().Equal(LookupEncoderRelease.Labels);
        var result = session.Classify("blue");
        // pooler_output: mean of the rows of [CLS] blue [SEP]; logits = pooled · W.
        var pooled = MeanOfRows(2, 7, 3);
        var w = LookupEncoderRelease.HeadWeight;
        double[] logits = [pooled[0] * w[0, 0] + pooled[1] * w[1, 0], pooled[0] * w[0, 1] + pooled[1] * w[1, 1]];
        result.Logits.Select(v => (double)v).Should().Equal(logits, (a, b) => Math.Abs(a - b) < 1e-5);
        var cool = 1 / (1 + Math.Exp(logits[0] - logits[1]));
        result.Probabilities[1].Should().BeApproximately((float)cool, 1e-6f);
        result.Label.Should().Be(logits[1] > logits[0] ? "cool" : "warm");
    }

    [Fact]
    public void A_non_finite_output_is_refused_not_served()
    {
        using var session = EncoderSession.Open(_release.Folder, _release.PublicKey);
        var act = () => session.Embed("red nan");
        // The NaN row reaches every output (the pooled mean and the logits too); the first one checked is named.
        act.Should().Throw<MlacInputException>().WithMessage("*non-finite value (NaN)*refusing to serve it*");
    }

    [Fact]
    public void A_tokenizer_that_cuts_elsewhere_than_the_model_records_is_refused()
    {
        // tokenizer.json and its two companions agree with each other (max_length 4), and the folder is re-signed;
        // the model records max_length 8.
        var copy = _release.Copy("max-length-4");
        var tokenizer = new Common.Text.HuggingFaceTokenizerJson
        {
            Vocabulary = Common.Text.WordPieceVocabulary.FromText(string.Join("\n", LookupEncoderRelease.Vocabulary) + "\n", "test"),
            Settings = LookupEncoderRelease.Tokenizer with { MaxLength = 4 },
        };
        foreach (var (path, text) in ReleaseConsumerFiles.Render(tokenizer, LookupEncoderRelease.EncoderConfigJson, LookupEncoderRelease.Labels))
            File.WriteAllText(Path.Combine(copy, path), text);
        _release.Resign(copy);
        var act = () => EncoderSession.Open(copy, _release.PublicKey);
        act.Should().Throw<MlacInputException>().WithMessage("*disagrees with the tokenizer settings recorded in the model*");
    }
}
