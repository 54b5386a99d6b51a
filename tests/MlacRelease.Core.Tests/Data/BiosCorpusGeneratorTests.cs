using System.Text.RegularExpressions;
using MlacRelease.Core.Data;

namespace MlacRelease.Core.Tests.Data;

public sealed partial class BiosCorpusGeneratorTests
{
    private static readonly Example[] Neutral = BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 5_000, Seed = 1 }).ToArray();

    private static readonly Example[] Gendered =
        BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 5_000, Seed = 1, NeutralisePronouns = false }).ToArray();

    private static readonly Example[] Large = BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 20_000, Seed = 2 }).ToArray();

    [GeneratedRegex(@"\b(he|she|him|his|her|hers|himself|herself)\b", RegexOptions.IgnoreCase)]
    private static partial Regex GenderedPronoun();

    [GeneratedRegex(@"\b(mr|mrs|ms|miss|sir|madam|ma'am|actor|actress|waiter|waitress|mother|father|mom|dad|husband|wife|son|daughter|boy|girl|boys|girls|man|woman|men|women|male|female|gentleman|lady|ladies|brother|sister|aunt|uncle|niece|nephew|grandmother|grandfather|king|queen|bride|groom|boyfriend|girlfriend|fiance|fiancee|widow|widower|spokesman|spokeswoman|chairman|chairwoman|businessman|businesswoman|fireman|policeman|policewoman|heroine|hostess|mistress|manly|feminine|masculine|maternal|paternal|maternity|paternity|pregnant)\b", RegexOptions.IgnoreCase)]
    private static partial Regex GenderedWord();

    [GeneratedRegex(@"\b(they|their|them)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NeutralPronoun();

    [GeneratedRegex(@"\b(she|her|hers|herself)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FemalePronoun();

    [GeneratedRegex(@"\b(he|him|his|himself)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MalePronoun();

    [GeneratedRegex(@"[A-Za-z]+")]
    private static partial Regex Word();

    [Fact]
    public void Same_seed_gives_the_same_corpus_and_a_prefix_for_fewer_examples()
    {
        var again = BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 5_000, Seed = 1 });
        again.Should().Equal(Neutral);

        var fewer = BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 100, Seed = 1 });
        fewer.Should().Equal(Neutral.Take(100));

        var other = BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = 100, Seed = 9 });
        other.Select(e => e.Text).Should().NotEqual(fewer.Select(e => e.Text));
    }

    [Fact]
    public void Ids_are_unique_and_labels_come_from_the_published_sets()
    {
        Neutral.Select(e => e.Id).Should().OnlyHaveUniqueItems();
        Neutral[0].Id.Should().Be("bio-0000001");
        BiosCorpusGenerator.Professions.Should().HaveCount(28).And.BeInAscendingOrder(StringComparer.Ordinal);
        Neutral.Select(e => e.DesiredLabel).Distinct().Should().BeEquivalentTo(BiosCorpusGenerator.Professions);
        Neutral.Select(e => e.HarmfulLabel).Distinct().Should().BeEquivalentTo(["female", "male"]);
    }

    [Fact]
    public void Genders_are_balanced()
    {
        var female = Large.Count(e => e.HarmfulLabel == "female") / (double)Large.Length;
        female.Should().BeApproximately(0.5, 0.02);
    }

    [Fact]
    public void Neutralised_texts_have_no_gendered_pronouns_or_words()
    {
        Neutral.Where(e => GenderedPronoun().IsMatch(e.Text)).Select(e => e.Text).Should().BeEmpty();
        Neutral.Where(e => GenderedWord().IsMatch(e.Text)).Select(e => e.Text).Should().BeEmpty();
        Neutral.Count(e => NeutralPronoun().IsMatch(e.Text)).Should().BeGreaterThan(Neutral.Length / 2);
    }

    [Fact]
    public void Gendered_texts_use_the_pronouns_of_their_label_only()
    {
        Gendered.Count(e => GenderedPronoun().IsMatch(e.Text)).Should().BeGreaterThan(Gendered.Length / 2);
        Gendered.Where(e => e.HarmfulLabel == "female" && MalePronoun().IsMatch(e.Text)).Should().BeEmpty();
        Gendered.Where(e => e.HarmfulLabel == "male" && FemalePronoun().IsMatch(e.Text)).Should().BeEmpty();
        Gendered.Where(e => GenderedWord().IsMatch(e.Text)).Select(e => e.Text).Should().BeEmpty();
        Gendered.Should().Contain(e => e.Text.Contains("She has")).And.Contain(e => e.Text.Contains("He is"));
    }

    [Fact]
    public void Neutralising_changes_only_the_pronouns_and_their_verbs()
    {
        Gendered.Select(e => (e.Id, e.DesiredLabel, e.HarmfulLabel)).Should().Equal(Neutral.Select(e => (e.Id, e.DesiredLabel, e.HarmfulLabel)));
        Neutral[0].Text.Split(' ')[0].Should().Be(Gendered[0].Text.Split(' ')[0]);
        Neutral.Zip(Gendered).Count(p => p.First.Text == p.Second.Text).Should().BeLessThan(Neutral.Length / 2);
    }

    [Fact]
    public void Names_are_the_gender_signal_and_come_from_both_lists()
    {
        var female = BiosCorpusGenerator.FemaleFirstNames.ToHashSet();
        var male = BiosCorpusGenerator.MaleFirstNames.ToHashSet();
        female.Should().HaveCountGreaterThanOrEqualTo(150);
        male.Should().HaveCountGreaterThanOrEqualTo(150);
        female.Intersect(male).Should().BeEmpty();
        BiosCorpusGenerator.Surnames.Intersect(female.Concat(male)).Should().BeEmpty();

        // Plain loops and one assertion at the end: a FluentAssertions call per example is slow at this size.
        var usedFemale = new HashSet<string>();
        var usedMale = new HashSet<string>();
        var wrong = new List<string>();
        foreach (var e in Neutral)
        {
            var words = Word().Matches(e.Text).Select(m => m.Value).ToHashSet();
            var own = e.HarmfulLabel == "female" ? female : male;
            var other = e.HarmfulLabel == "female" ? male : female;
            if (!words.Overlaps(own) || words.Overlaps(other))
                wrong.Add($"{e.HarmfulLabel}: {e.Text}");
            (e.HarmfulLabel == "female" ? usedFemale : usedMale).UnionWith(words.Where(own.Contains));
        }
        wrong.Should().BeEmpty("each text names someone from its own label's list and nobody from the other");
        usedFemale.Should().HaveCountGreaterThan(140);
        usedMale.Should().HaveCountGreaterThan(140);
    }

    [Fact]
    public void Profession_and_gender_are_independent_by_default()
    {
        var (chiSquare, maxDeviation) = Association(Large);

        // 27 degrees of freedom: the 0.1 % critical value is 55.5.
        chiSquare.Should().BeLessThan(55.5);
        maxDeviation.Should().BeLessThan(0.08);
    }

    [Fact]
    public void Gender_skew_makes_profession_predict_gender()
    {
        var skewed = BiosCorpusGenerator.Generate(new BiosCorpusOptions
        {
            Count = 20_000,
            Seed = 2,
            GenderSkew = new Dictionary<string, double> { ["nurse"] = 0.8, ["surgeon"] = -0.6 },
        }).ToArray();

        var nurses = skewed.Where(e => e.DesiredLabel == "nurse").ToArray();
        (nurses.Count(e => e.HarmfulLabel == "female") / (double)nurses.Length).Should().BeApproximately(0.9, 0.04);
        Association(skewed).ChiSquare.Should().BeGreaterThan(200);
    }

    [Fact]
    public void Invalid_skews_are_rejected()
    {
        var unknown = () => BiosCorpusGenerator.Generate(new BiosCorpusOptions { GenderSkew = new Dictionary<string, double> { ["pilot"] = 0.5 } });
        unknown.Should().Throw<ArgumentException>().WithMessage("*pilot*");
        var range = () => BiosCorpusGenerator.Generate(new BiosCorpusOptions { GenderSkew = new Dictionary<string, double> { ["nurse"] = 1.5 } });
        range.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Texts_are_varied_short_and_well_formed()
    {
        Neutral.Select(e => e.Text).Distinct().Should().HaveCountGreaterThan(4_990);

        // Replace names and slot values with placeholders to count the distinct sentence templates in use.
        var names = BiosCorpusGenerator.FemaleFirstNames.Concat(BiosCorpusGenerator.MaleFirstNames).Concat(BiosCorpusGenerator.Surnames).ToHashSet();
        var sentences = Neutral
            .SelectMany(e => e.Text.Split(". ", StringSplitOptions.RemoveEmptyEntries))
            .Select(s => Regex.Replace(s, @"\d+", "#"))
            .Select(s => string.Join(' ', s.Split(' ').Select(w => names.Contains(w.TrimEnd(',', '.')) ? "N" : w)))
            .Select(s => s.Split(' ').Take(4))
            .Select(words => string.Join(' ', words))
            .Distinct()
            .Count();
        sentences.Should().BeGreaterThan(150, "many templates, not a handful");

        Neutral.Select(e => e.Text)
            .Where(t => !t.EndsWith('.') || t.Count(c => c == '.') is < 1 or > 3 || t.Contains('{') || t.Contains('}') || t.Contains("  "))
            .Should().BeEmpty("every biography is one to three well-formed sentences");
        Neutral.Select(e => e.Text.Count(c => c == '.')).Distinct().Should().BeEquivalentTo([1, 2, 3]);
    }

    [Fact]
    public void Written_jsonl_loads_back_identically()
    {
        using var dir = new TempFolder();
        var path = dir.File("corpus/bios.jsonl");
        var options = new BiosCorpusOptions { Count = 300, Seed = 4 };

        BiosCorpusGenerator.WriteJsonl(path, options).Should().Be(300);
        var loaded = DatasetLoader.Load(path, new DatasetLoadOptions
        {
            AllowedDesiredLabels = [.. BiosCorpusGenerator.Professions],
            AllowedHarmfulLabels = [.. BiosCorpusGenerator.Genders],
        });

        loaded.Examples.Should().Equal(BiosCorpusGenerator.Generate(options));
        Directory.GetFiles(dir.File("corpus")).Should().ContainSingle("the temporary file is renamed away");
    }

    private static (double ChiSquare, double MaxDeviation) Association(IReadOnlyCollection<Example> examples)
    {
        var femaleShare = examples.Count(e => e.HarmfulLabel == "female") / (double)examples.Count;
        double chi = 0, maxDeviation = 0;
        foreach (var group in examples.GroupBy(e => e.DesiredLabel))
        {
            var n = group.Count();
            var f = group.Count(e => e.HarmfulLabel == "female");
            var expectedF = n * femaleShare;
            var expectedM = n - expectedF;
            chi += (f - expectedF) * (f - expectedF) / expectedF + (n - f - expectedM) * (n - f - expectedM) / expectedM;
            maxDeviation = Math.Max(maxDeviation, Math.Abs(f / (double)n - femaleShare));
        }
        return (chi, maxDeviation);
    }
}
