namespace MlacRelease.Tests.Shared;

/// <summary>Test sentences shared by the parity tests of Core and Export (linked into both test projects).</summary>
public static class Sentences
{
    /// <summary>72 sentences of very different lengths, accents, punctuation, numbers, scripts and rare words.</summary>
    public static IReadOnlyList<string> Varied()
    {
        var list = new List<string>
        {
            "Hi.", "OK", "Yes!", "Émilie Dubois is a nurse in Montréal.",
            "She has worked as a software engineer for twelve years and enjoys rock climbing on weekends.",
            "The quick brown fox jumps over the lazy dog.",
            "Dr. García-López (MD, PhD) practises cardiothoracic surgery at St. Mary's — since 2004.",
            "unaffable naïve café résumé coöperate", "1234567890 3.14159 -42 +7 100%",
            "他是一名医生。", "Ein Satz auf Deutsch mit Umlauten: äöü ß.", "", "   ",
            "A very long biography " + string.Join(" ", Enumerable.Repeat("with many repeated clauses about work and life", 30)),
        };
        var professions = new[] { "nurse", "surgeon", "teacher", "poet", "rapper", "dentist", "paralegal", "architect" };
        var names = new[] { "Alex", "Maria", "John", "Aisha", "Wei", "Olga", "Pedro", "Fatima" };
        for (var i = 0; list.Count < 72; i++)
        {
            var clauses = 1 + i % 7;
            list.Add(string.Join(" ", Enumerable.Range(0, clauses).Select(c =>
                $"{names[(i + c) % names.Length]} has been a {professions[(i * 3 + c) % professions.Length]} for {i + c} years.")));
        }
        return list;
    }
}
