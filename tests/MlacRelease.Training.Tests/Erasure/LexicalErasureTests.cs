using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using MlacRelease.Training.Erasure;
using static TorchSharp.torch;

namespace MlacRelease.Training.Tests.Erasure;

/// <summary>
/// End to end on a tiny encoder whose "name" tokens carry a planted label subspace: the names are found from the
/// examples alone, the subspace leaves their rows, and nothing else in the encoder moves.
/// </summary>
public sealed class LexicalErasureTests
{
    private const int Hidden = 16;
    private static readonly string[] Specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
    private static readonly string[] Fillers = Enumerable.Range(0, 30).Select(i => $"word{Letters(i)}").ToArray();
    private static readonly string[] First = Enumerable.Range(0, 12).Select(i => $"fem{Letters(i)}").ToArray();
    private static readonly string[] Second = Enumerable.Range(0, 12).Select(i => $"mas{Letters(i)}").ToArray();
    private static readonly string[] Vocabulary = [.. Specials, .. Fillers, .. First, .. Second];
    private static readonly string[] HarmfulLabels = ["a", "b"];

    private static string Letters(int i) => $"{(char)('a' + i / 26 % 26)}{(char)('a' + i % 26)}";

    private static EncoderConfig Config { get; } = new()
    {
        VocabSize = Vocabulary.Length, HiddenSize = Hidden, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 8,
        MaxPositionEmbeddings = 16, TypeVocabSize = 2,
    };

    /// <summary>A random encoder whose name rows get ±1.5 along two fixed directions by class, each name with its own
    /// mix, on top of their random rows.</summary>
    private static EncoderWeights Encoder()
    {
        var weights = EncoderWeights.RandomInit(Config, 4);
        var embeddings = weights[BertParameterNames.WordEmbeddings];
        var random = new DeterministicRandom(8);
        var delta = new float[Vocabulary.Length * Hidden];
        foreach (var (name, index) in Vocabulary.Select((t, i) => (t, i)).Where(x => x.t.StartsWith("fem") || x.t.StartsWith("mas")))
        {
            var sign = name.StartsWith("fem") ? 1f : -1f;
            delta[index * Hidden] = 1.5f * sign;
            delta[index * Hidden + 1] = 1.5f * sign * (float)(0.5 + random.NextDouble());
        }
        using var noGrad = no_grad();
        using var shift = tensor(delta, [Vocabulary.Length, Hidden]);
        embeddings.add_(shift);
        return weights;
    }

    private static List<Example> Examples(int count)
    {
        var random = new DeterministicRandom(21);
        return Enumerable.Range(0, count).Select(i =>
        {
            var label = random.NextInt(2);
            var name = (label == 0 ? First : Second)[random.NextInt(12)];
            var words = Enumerable.Range(0, 5).Select(_ => Fillers[random.NextInt(Fillers.Length)]);
            return new Example($"e{i}", $"{name} {string.Join(' ', words)}", "d", HarmfulLabels[label]);
        }).ToList();
    }

    private static BertTextTokenizer Tokenizer => new(string.Join('\n', Vocabulary) + "\n");

    private static (EncoderWeights Weights, LexicalErasureReport Report) Erase(EncoderWeights source, ErasureScope scope = ErasureScope.Associated) =>
        Erase(source, new LexicalErasureOptions { MaxRank = 6, Scope = scope });

    private static (EncoderWeights Weights, LexicalErasureReport Report) Erase(EncoderWeights source, LexicalErasureOptions options, List<Example>? examples = null) =>
        LexicalErasure.Apply(source, Tokenizer, examples ?? Examples(600), HarmfulLabels, options);

    private static int Id(string token) => Array.IndexOf(Vocabulary, token);

    [Fact]
    public void Finds_the_names_and_removes_their_class_gap()
    {
        using var scope = NewDisposeScope();
        using var source = Encoder();
        var (erased, report) = Erase(source);
        using var _ = erased;
        report.Tokens.Select(t => t.Token).Should().BeEquivalentTo([.. First, .. Second]);
        report.HeldOutAccuracyByRank[0].Should().BeGreaterThan(0.9);
        report.ToleranceMet.Should().BeTrue();
        // The fewest directions after which held-out tokens read within the tolerance of the majority share (at least one).
        var first = Array.FindIndex(report.HeldOutAccuracyByRank.ToArray(), a => a <= report.MajorityShare + 0.03);
        first.Should().BeGreaterThanOrEqualTo(0);
        report.Rank.Should().Be(Math.Max(1, first));

        Tensor Gap(EncoderWeights w)
        {
            var rows = w[BertParameterNames.WordEmbeddings].to(ScalarType.Float64);
            return rows.index_select(0, tensor(First.Select(t => (long)Id(t)).ToArray())).mean([0])
                 - rows.index_select(0, tensor(Second.Select(t => (long)Id(t)).ToArray())).mean([0]);
        }
        var before = Gap(source).norm().item<double>();
        var after = Gap(erased).norm().item<double>();
        before.Should().BeGreaterThan(2.0);
        after.Should().BeLessThan(0.1 * before);
    }

    [Fact]
    public void Only_the_selected_rows_change()
    {
        using var scope = NewDisposeScope();
        using var source = Encoder();
        var (erased, report) = Erase(source);
        using var _ = erased;
        var selected = report.Tokens.Select(t => t.TokenId).ToHashSet();
        var before = source[BertParameterNames.WordEmbeddings];
        var after = erased[BertParameterNames.WordEmbeddings];
        for (var i = 0; i < Vocabulary.Length; i++)
            after[i].eq(before[i]).all().item<bool>().Should().Be(!selected.Contains(i), $"row {i} ({Vocabulary[i]})");
        foreach (var (name, tensor) in source.Tensors.Where(kv => kv.Key != BertParameterNames.WordEmbeddings))
            erased[name].eq(tensor).all().item<bool>().Should().BeTrue(name);
        report.SourceWeightDigest.Should().Be(source.Digest());
    }

    [Fact]
    public void Vocabulary_scope_moves_every_row_by_the_same_projection()
    {
        using var scope = NewDisposeScope();
        using var source = Encoder();
        var (associated, _) = Erase(source);
        var (everything, report) = Erase(source, ErasureScope.Vocabulary);
        using var a = associated;
        using var e = everything;
        report.RowsChanged.Should().Be(Vocabulary.Length);
        var ids = tensor(report.Tokens.Select(t => (long)t.TokenId).ToArray());
        (e[BertParameterNames.WordEmbeddings].index_select(0, ids) - a[BertParameterNames.WordEmbeddings].index_select(0, ids)).abs().max().item<float>()
            .Should().BeLessThan(1e-5f);
        e[BertParameterNames.WordEmbeddings][Id(Fillers[0])].eq(source[BertParameterNames.WordEmbeddings][Id(Fillers[0])]).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void A_fixed_rank_reports_whether_it_reached_the_tolerance()
    {
        using var scope = NewDisposeScope();
        using var source = Encoder();
        var (erased, report) = Erase(source, new LexicalErasureOptions { MaxRank = 6, Rank = 1 });
        using var _ = erased;
        report.Rank.Should().Be(1);
        report.RankChosen.Should().BeFalse();
        report.ToleranceMet.Should().Be(report.HeldOutAccuracyByRank[1] <= report.MajorityShare + 0.03);
        report.HeldOutAccuracyByRank.Should().HaveCount(2);
    }

    [Fact]
    public void Erasure_is_deterministic()
    {
        using var scope = NewDisposeScope();
        using var source = Encoder();
        var (first, _) = Erase(source);
        var (second, _) = Erase(source);
        using var a = first;
        using var b = second;
        a.Digest().Should().Be(b.Digest()).And.NotBe(source.Digest());
    }

    [Fact]
    public void Data_without_a_carrying_token_is_refused()
    {
        using var source = Encoder();
        var examples = Examples(200).Select(e => e with { Text = string.Join(' ', e.Text.Split(' ').Skip(1)) }).ToList();
        var act = () => Erase(source, new LexicalErasureOptions(), examples);
        act.Should().Throw<MlacRelease.Common.Errors.MlacInputException>().WithMessage("*found tokens for 0 harmful class*");
    }
}
