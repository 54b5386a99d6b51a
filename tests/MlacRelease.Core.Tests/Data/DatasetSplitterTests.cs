using MlacRelease.Core.Data;

namespace MlacRelease.Core.Tests.Data;

public sealed class DatasetSplitterTests
{
    private static readonly Dataset Corpus =
        Dataset.Create(BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 4_000, Seed = 11 }));

    private static IEnumerable<string> Ids(IEnumerable<Example> examples) => examples.Select(e => e.Id);

    private static readonly SplitName[] AllSplits = Enum.GetValues<SplitName>();

    [Fact]
    public void Same_seed_gives_identical_splits()
    {
        var a = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 1);
        var b = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 1);
        foreach (var split in AllSplits)
            Ids(a[split]).Should().Equal(Ids(b[split]));
    }

    [Fact]
    public void Different_seeds_give_different_splits()
    {
        var a = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 1);
        var b = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 2);
        Ids(a.Test).ToHashSet().SetEquals(Ids(b.Test)).Should().BeFalse();
        Ids(a.AttackerTrain).ToHashSet().SetEquals(Ids(b.AttackerTrain)).Should().BeFalse();
    }

    [Fact]
    public void Input_order_does_not_matter()
    {
        var shuffled = Corpus.Examples.ToArray();
        new DeterministicRandom(99).Shuffle(shuffled);
        var reordered = Dataset.Create(shuffled);

        var a = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 7);
        var b = DatasetSplitter.Split(reordered, SplitFractions.Paper, 7);

        reordered.Digest.Should().Be(Corpus.Digest);
        foreach (var split in AllSplits)
            Ids(b[split]).Should().Equal(Ids(a[split]));
    }

    [Fact]
    public void Splits_are_disjoint_and_cover_the_dataset()
    {
        var splits = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 3);
        var all = AllSplits.SelectMany(s => Ids(splits[s])).ToList();

        // Sorted comparison: BeEquivalentTo is quadratic on thousands of items.
        all.Order(StringComparer.Ordinal).Should().Equal(Ids(Corpus.Examples).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_stratum_is_split_by_its_own_rounded_quotas()
    {
        var splits = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 5);
        var strata = Corpus.Examples.GroupBy(e => (e.DesiredLabel, e.HarmfulLabel)).ToList();
        strata.Should().HaveCount(56);

        foreach (var split in AllSplits)
        {
            var share = SplitFractions.Paper[split];
            var inSplit = splits[split].GroupBy(e => (e.DesiredLabel, e.HarmfulLabel)).ToDictionary(g => g.Key, g => g.Count());
            foreach (var stratum in strata)
            {
                var quota = stratum.Count() * share;
                inSplit.GetValueOrDefault(stratum.Key).Should().BeInRange((int)Math.Floor(quota), (int)Math.Ceiling(quota),
                    $"stratum {stratum.Key} in {split}");
            }

            splits[split].Count.Should().BeInRange((int)(Corpus.Count * share) - strata.Count, (int)(Corpus.Count * share) + strata.Count);
        }
    }

    [Fact]
    public void Split_sizes_track_the_fractions_closely_overall()
    {
        // Each stratum's leftovers go to the split most behind overall, so the totals stay near their targets
        // rather than drifting by up to one per stratum (this corpus has 56 strata).
        var splits = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 5);
        foreach (var split in AllSplits)
            splits[split].Count.Should().BeCloseTo((int)Math.Round(Corpus.Count * SplitFractions.Paper[split]), 3, split.ToString());
    }

    [Fact]
    public void Each_split_keeps_the_gender_balance_of_each_profession()
    {
        var splits = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 5);
        foreach (var split in new[] { SplitName.DefenderTrain, SplitName.Test })
        {
            var overall = Corpus.Examples.Count(e => e.HarmfulLabel == "female") / (double)Corpus.Count;
            var part = splits[split].Count(e => e.HarmfulLabel == "female") / (double)splits[split].Count;
            part.Should().BeApproximately(overall, 0.01);
        }
    }

    [Fact]
    public void A_zero_fraction_gives_an_empty_split_and_tiny_strata_are_still_covered()
    {
        var tiny = Dataset.Create(Enumerable.Range(0, 7).Select(i => new Example($"t{i}", "x", $"p{i % 3}", i % 2 == 0 ? "f" : "m")));
        var splits = DatasetSplitter.Split(tiny, new SplitFractions(0.5, 0.25, 0.25, 0), 1);

        splits.Test.Should().BeEmpty();
        AllSplits.Sum(s => splits[s].Count).Should().Be(7);
    }

    [Theory]
    [InlineData(-0.1, 0.3, 0.4, 0.4)]
    [InlineData(double.NaN, 0.5, 0.25, 0.25)]
    [InlineData(0.85, 0.025, 0.025, 0.09)]
    [InlineData(0.85, 0.025, 0.025, 0.10000001)]
    [InlineData(double.PositiveInfinity, 0, 0, 0)]
    public void Fractions_must_be_non_negative_and_sum_to_one(double a, double b, double c, double d)
    {
        var act = () => new SplitFractions(a, b, c, d);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Fractions_tolerate_rounding_and_default_to_the_paper()
    {
        var nearly = new SplitFractions(0.85, 0.025, 0.025, 0.1 + 5e-10);
        nearly.Test.Should().BeApproximately(0.1, 1e-9);
        SplitFractions.Paper.Should().Be(new SplitFractions(0.85, 0.025, 0.025, 0.10));
    }

    [Fact]
    public void Stratified_take_balances_harmful_labels_and_nests()
    {
        var splits = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 5);
        var pool = splits.DefenderTrain;
        var femaleShare = pool.Count(e => e.HarmfulLabel == "female") / (double)pool.Count;

        var previous = Array.Empty<Example>() as IReadOnlyList<Example>;
        foreach (var n in new[] { 20, 50, 100, 200, 1000 })
        {
            var take = DatasetSplitter.TakeStratified(pool, n);
            take.Should().HaveCount(n).And.OnlyHaveUniqueItems();
            take.Count(e => e.HarmfulLabel == "female").Should().BeInRange(
                (int)Math.Floor(n * femaleShare), (int)Math.Ceiling(n * femaleShare));
            take.Take(previous.Count).Should().Equal(previous, "a smaller take is a prefix of a larger one");
            previous = take;
        }
    }

    [Fact]
    public void Stratified_take_keeps_split_order_within_a_label_and_rejects_oversized_requests()
    {
        var split = DatasetSplitter.Split(Corpus, SplitFractions.Paper, 5).AttackerTrain;
        var take = DatasetSplitter.TakeStratified(split, 40);

        Ids(take.Where(e => e.HarmfulLabel == "male")).Should().Equal(Ids(split.Where(e => e.HarmfulLabel == "male").Take(take.Count(e => e.HarmfulLabel == "male"))));
        DatasetSplitter.TakeStratified(split, split.Count).Should().BeEquivalentTo(split);
        var act = () => DatasetSplitter.TakeStratified(split, split.Count + 1);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
