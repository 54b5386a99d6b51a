namespace MlacRelease.Core.Data;

/// <summary>
/// One profession of the built-in corpus: its label, how it reads in a sentence, the subject one studies for
/// it, and its own sentence templates (see <see cref="BiosCorpusGenerator"/> for the placeholders).
/// </summary>
internal sealed record BiosProfession(
    string Label,
    string Title,
    string Field,
    IReadOnlyList<string> Leads,
    IReadOnlyList<string> Details)
{
    /// <summary>The title with its indefinite article ("an architect", "a DJ").</summary>
    public string TitleWithArticle => ("aeiou".Contains(Title[0]) ? "an " : "a ") + Title;
}
