using System.Text;

namespace MlacRelease.Core.Data;

/// <summary>
/// A built-in corpus in the spirit of Bias in Bios (De-Arteaga et al. 2019), the data of the paper's
/// experiment: short third-person biographies labelled with one of 28 professions (desired task) and binary
/// gender (harmful task). It lets the toolkit train and certify without downloading the original corpus.
/// </summary>
/// <remarks>
/// <para>Each biography has one to three sentences: an opening that names the profession (profession-specific
/// or generic), then follow-ups drawn from the profession's own details and from generic themes (education,
/// experience, place, hobbies). Gender decides only the first name and, when pronouns are not neutralised, the
/// pronouns: every other choice is drawn the same way for both genders, so with neutralised pronouns the name
/// is the only gender signal, and by default profession and gender are independent.</para>
/// <para>Example i depends only on the seed and i (each has its own derived random stream), so a corpus of n
/// biographies is a prefix of any larger one with the same seed, and the neutralised and gendered variants of
/// a seed differ only in their pronouns.</para>
/// <para>Template placeholders: {Name} full name, {First} first name, {a_title} profession with article,
/// {field}, {university}, {city}, {hometown}, {years}, {number}, {hobby}, {hobby2}; pronouns {They} {they}
/// {Their} {their} {them}; verb agreement {is} {has} {was} and suffixes {s} {es}, which read "they are / she
/// is", "they work / he works".</para>
/// </remarks>
public static class BiosCorpusGenerator
{
    public const string Female = "female";
    public const string Male = "male";

    private const double ProfessionLeadShare = 0.6;
    private const double ProfessionDetailShare = 0.5;

    /// <summary>The 28 profession labels, sorted.</summary>
    public static IReadOnlyList<string> Professions { get; } =
        Array.AsReadOnly(BiosProfessions.All.Select(p => p.Label).Order(StringComparer.Ordinal).ToArray());

    /// <summary>The harmful labels, sorted.</summary>
    public static IReadOnlyList<string> Genders { get; } = Array.AsReadOnly(new[] { Female, Male });

    public static IReadOnlyList<string> FemaleFirstNames { get; } = Array.AsReadOnly(BiosNames.Female);

    public static IReadOnlyList<string> MaleFirstNames { get; } = Array.AsReadOnly(BiosNames.Male);

    public static IReadOnlyList<string> Surnames { get; } = Array.AsReadOnly(BiosNames.Surnames);

    /// <summary>Streams <see cref="BiosCorpusOptions.Count"/> biographies with ids bio-0000001, bio-0000002, ….</summary>
    public static IEnumerable<Example> Generate(BiosCorpusOptions? options = null)
    {
        options ??= new BiosCorpusOptions();
        options.Validate();
        return Iterate(options);

        static IEnumerable<Example> Iterate(BiosCorpusOptions options)
        {
            for (var i = 0; i < options.Count; i++)
                yield return Biography(options, i);
        }
    }

    /// <summary>Writes the corpus as JSONL, atomically; returns the number of examples written.</summary>
    public static int WriteJsonl(string path, BiosCorpusOptions? options = null, DatasetSchema? schema = null) =>
        JsonlWriter.Write(path, Generate(options), schema);

    private static Example Biography(BiosCorpusOptions options, int index)
    {
        var random = new DeterministicRandom(DeterministicRandom.DeriveSeed(options.Seed, (ulong)index));
        var profession = BiosProfessions.All[random.NextInt(BiosProfessions.All.Length)];
        var skew = options.GenderSkew?.GetValueOrDefault(profession.Label) ?? 0.0;
        var female = random.NextDouble() < (1 + skew) / 2;

        // Every slot is drawn, used or not, so that the stream stays aligned across genders and options.
        var first = random.Pick(female ? BiosNames.Female : BiosNames.Male);
        var surname = random.Pick(BiosNames.Surnames);
        var city = random.Pick(BiosPhrases.Cities);
        var hometown = PickOther(random, BiosPhrases.Cities, city);
        var university = random.Pick(BiosPhrases.Universities);
        var years = random.NextInt(3, 31);
        var number = random.NextInt(12, 90);
        var hobby = random.Pick(BiosPhrases.Hobbies);
        var slots = new Slots(
            first,
            $"{first} {surname}",
            profession,
            city,
            hometown,
            university,
            years,
            number,
            hobby,
            PickOther(random, BiosPhrases.Hobbies, hobby),
            Pronouns: options.NeutralisePronouns ? Pronouns.They : female ? Pronouns.She : Pronouns.He);

        var sentences = random.NextDouble() switch { < 0.2 => 1, < 0.6 => 2, _ => 3 };
        var templates = new List<string>(sentences)
        {
            random.NextDouble() < ProfessionLeadShare ? random.Pick(profession.Leads) : random.Pick(BiosPhrases.GenericLeads),
        };
        var details = profession.Details.ToList();
        var themes = BiosPhrases.GenericThemes.ToList();
        while (templates.Count < sentences)
        {
            if (random.NextDouble() < ProfessionDetailShare)
                templates.Add(Take(random, details));
            else
                templates.Add(random.Pick(Take(random, themes)));
        }

        var text = string.Join(' ', templates.Select(t => Render(t, slots)));
        return new Example($"bio-{index + 1:D7}", text, profession.Label, female ? Female : Male);
    }

    /// <summary>Removes and returns a random element, so no template or theme repeats within a biography.</summary>
    private static T Take<T>(DeterministicRandom random, List<T> items)
    {
        var index = random.NextInt(items.Count);
        var item = items[index];
        items.RemoveAt(index);
        return item;
    }

    /// <summary>A uniform pick among the elements other than <paramref name="except"/>, in one draw (no retry
    /// loop), so the number of draws per biography is fixed.</summary>
    private static string PickOther(DeterministicRandom random, string[] items, string except)
    {
        var index = random.NextInt(items.Length - 1);
        return index >= Array.IndexOf(items, except) ? items[index + 1] : items[index];
    }

    private static string Render(string template, Slots s)
    {
        var result = new StringBuilder(template.Length + 32);
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            if (open < 0)
            {
                result.Append(template, position, template.Length - position);
                break;
            }
            var close = template.IndexOf('}', open);
            result.Append(template, position, open - position);
            result.Append(Slot(template[(open + 1)..close], s));
            position = close + 1;
        }
        return result.ToString();
    }

    private static string Slot(string name, Slots s)
    {
        var p = s.Pronouns;
        return name switch
        {
            "Name" => s.FullName,
            "First" => s.FirstName,
            "a_title" => s.Profession.TitleWithArticle,
            "field" => s.Profession.Field,
            "university" => s.University,
            "city" => s.City,
            "hometown" => s.Hometown,
            "years" => s.Years.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "number" => s.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "hobby" => s.Hobby,
            "hobby2" => s.Hobby2,
            "They" => Capitalise(p.Subject),
            "they" => p.Subject,
            "Their" => Capitalise(p.Possessive),
            "their" => p.Possessive,
            "them" => p.Object,
            "is" => p.Plural ? "are" : "is",
            "has" => p.Plural ? "have" : "has",
            "was" => p.Plural ? "were" : "was",
            "s" => p.Plural ? "" : "s",
            "es" => p.Plural ? "" : "es",
            _ => throw new InvalidOperationException($"Unknown template placeholder '{{{name}}}'."),
        };
    }

    private static string Capitalise(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private sealed record Pronouns(string Subject, string Possessive, string Object, bool Plural)
    {
        public static readonly Pronouns They = new("they", "their", "them", true);
        public static readonly Pronouns She = new("she", "her", "her", false);
        public static readonly Pronouns He = new("he", "his", "him", false);
    }

    private sealed record Slots(
        string FirstName,
        string FullName,
        BiosProfession Profession,
        string City,
        string Hometown,
        string University,
        int Years,
        int Number,
        string Hobby,
        string Hobby2,
        Pronouns Pronouns);
}
