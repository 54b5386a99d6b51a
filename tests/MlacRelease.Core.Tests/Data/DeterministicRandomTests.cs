using MlacRelease.Core.Data;

namespace MlacRelease.Core.Tests.Data;

public sealed class DeterministicRandomTests
{
    [Fact]
    public void Matches_the_published_splitmix64_sequence()
    {
        // Reference values of Vigna's splitmix64.c: seed 0, and seed 1234567.
        var zero = new DeterministicRandom(0);
        zero.NextUInt64().Should().Be(0xE220A8397B1DCDAFUL);
        zero.NextUInt64().Should().Be(0x6E789E6AA1B965F4UL);
        zero.NextUInt64().Should().Be(0x06C45D188009454FUL);
        new DeterministicRandom(1234567).NextUInt64().Should().Be(6457827717110365317UL);
    }

    [Fact]
    public void Bounded_integers_stay_in_range_and_cover_it_evenly()
    {
        var random = new DeterministicRandom(7);
        var counts = new int[7];
        for (var i = 0; i < 70_000; i++)
            counts[random.NextInt(7)]++;
        counts.Should().OnlyContain(c => c > 9_500 && c < 10_500);
        random.NextInt(1).Should().Be(0);
        Enumerable.Range(0, 1000).Select(_ => random.NextInt(-3, 3)).Should().OnlyContain(v => v >= -3 && v < 3);
        var bad = () => random.NextInt(0);
        bad.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Doubles_are_in_the_unit_interval()
    {
        var random = new DeterministicRandom(3);
        var values = Enumerable.Range(0, 10_000).Select(_ => random.NextDouble()).ToArray();
        values.Should().OnlyContain(v => v >= 0 && v < 1);
        values.Average().Should().BeApproximately(0.5, 0.02);
    }

    [Fact]
    public void Shuffle_is_a_seeded_permutation()
    {
        int[] Shuffled(ulong seed)
        {
            var items = Enumerable.Range(0, 100).ToArray();
            new DeterministicRandom(seed).Shuffle(items);
            return items;
        }

        Shuffled(5).Should().Equal(Shuffled(5));
        Shuffled(5).Should().NotEqual(Shuffled(6));
        Shuffled(5).Order().Should().Equal(Enumerable.Range(0, 100));
    }

    [Fact]
    public void Derived_seeds_are_distinct_per_stream_and_purpose()
    {
        var seeds = Enumerable.Range(0, 1000).Select(i => DeterministicRandom.DeriveSeed(42, (ulong)i)).ToHashSet();
        seeds.Should().HaveCount(1000);
        DeterministicRandom.DeriveSeed(42, "a").Should().NotBe(DeterministicRandom.DeriveSeed(42, "b"));
        DeterministicRandom.DeriveSeed(42, "a").Should().NotBe(DeterministicRandom.DeriveSeed(43, "a"));
        DeterministicRandom.DeriveSeed(42, "a").Should().Be(DeterministicRandom.DeriveSeed(42, "a"));
    }
}
