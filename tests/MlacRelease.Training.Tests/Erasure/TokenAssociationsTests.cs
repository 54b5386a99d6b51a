using MlacRelease.Core.Data;
using MlacRelease.Training.Erasure;

namespace MlacRelease.Training.Tests.Erasure;

/// <summary>Planted cue tokens are found with their class and counts; tokens independent of the label mostly are not.</summary>
public sealed class TokenAssociationsTests
{
    [Fact]
    public void Finds_the_planted_cues_and_few_others()
    {
        var vocabulary = Enumerable.Range(0, 60).Select(i => $"t{i}").ToList();
        // Tokens 0..49 independent of the label; 50..54 only in class 0, 55..59 only in class 1.
        var random = new DeterministicRandom(3);
        var (ids, labels) = (new List<IReadOnlyList<int>>(), new List<int>());
        for (var n = 0; n < 2000; n++)
        {
            var label = random.NextInt(2);
            var tokens = Enumerable.Range(0, 6).Select(_ => random.NextInt(50)).ToList();
            tokens.Add(50 + 5 * label + random.NextInt(5));
            tokens.Add(tokens[0]);   // a repeat counts once
            ids.Add(tokens);
            labels.Add(label);
        }
        var (selected, tested) = TokenAssociations.Find(ids, labels, 2, vocabulary, minCount: 5, falseDiscoveryRate: 0.05);
        tested.Should().Be(60);
        selected.Where(s => s.TokenId >= 50).Select(s => s.TokenId).Should().BeEquivalentTo(Enumerable.Range(50, 10));
        selected.Count(s => s.TokenId < 50).Should().BeLessThanOrEqualTo(2, "an independent token is a false discovery, and FDR 5 % of ~10 allows at most a few");
        foreach (var s in selected.Where(s => s.TokenId >= 50))
        {
            s.Class.Should().Be(s.TokenId < 55 ? 0 : 1);
            s.Counts[1 - s.Class].Should().Be(0);
            s.Counts[s.Class].Should().Be(ids.Zip(labels).Count(e => e.First.Contains(s.TokenId)));
            s.Token.Should().Be($"t{s.TokenId}");
        }
        selected.Select(s => s.PValue).Should().BeInAscendingOrder();
    }

    [Fact]
    public void Rare_tokens_are_not_tested()
    {
        var (selected, tested) = TokenAssociations.Find([[0, 1], [0, 1], [0, 2], [0, 2]], [0, 0, 1, 1], 2, ["a", "b", "c"], minCount: 3, falseDiscoveryRate: 0.05);
        tested.Should().Be(1);   // only token 0 is in at least 3 examples
        selected.Should().BeEmpty();
    }

    [Fact]
    public void Labels_and_ids_out_of_range_are_refused()
    {
        var bad = () => TokenAssociations.Find([[0]], [2], 2, ["a"], 1, 0.05);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*class is outside*");
        var badId = () => TokenAssociations.Find([[5]], [0], 2, ["a"], 1, 0.05);
        badId.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*outside the vocabulary*");
    }
}
