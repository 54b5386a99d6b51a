using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Text;

/// <summary>
/// A WordPiece vocabulary: token strings in id order (the token on line i of vocab.txt, or with id i in
/// tokenizer.json's "vocab"). Every token is checked so that the one-token-per-line form is unambiguous whichever
/// way a reader splits and trims lines: no empty tokens, no line breaks or control characters, no surrounding
/// whitespace, no token twice. That is what lets tokenizer.json's map and the line form Microsoft.ML.Tokenizers
/// reads give every token the same id.
/// </summary>
public sealed class WordPieceVocabulary
{
    /// <summary>Far above any BERT vocabulary (30,522 for bert-base, 250,002 for XLM-R): bounds what a file can make us allocate.</summary>
    public const int MaxTokens = 2_000_000;

    /// <summary>WordPiece never matches a word longer than max_input_chars_per_word (100); a longer token is malformed.</summary>
    public const int MaxTokenLength = 1024;

    private readonly Dictionary<string, int> _ids;

    private WordPieceVocabulary(List<string> tokens, Dictionary<string, int> ids)
    {
        Tokens = tokens;
        _ids = ids;
    }

    public IReadOnlyList<string> Tokens { get; }

    public int Count => Tokens.Count;

    public int? IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : null;

    /// <summary>vocab.txt: one token per line, in id order.</summary>
    public string ToText() => string.Join("\n", Tokens) + "\n";

    /// <summary>Reads vocab.txt text: lines end in "\n" or "\r\n" (as Python's universal newlines and Hugging Face's
    /// load_vocab read them; the built-in MiniLM's file has Windows line ends), and a final line break is optional.</summary>
    public static WordPieceVocabulary FromText(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var count = lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        return FromTokens(lines.Take(count).Select(line => line.EndsWith('\r') ? line[..^1] : line), source, i => $"line {i + 1}");
    }

    /// <summary>Builds a vocabulary from tokens in id order; <paramref name="where"/> names the i-th one in errors.</summary>
    public static WordPieceVocabulary FromTokens(IEnumerable<string> tokens, string source, Func<int, string>? where = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        where ??= i => $"id {i}";
        var list = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            if (list.Count == MaxTokens) throw new MlacInputException($"{source}: more than {MaxTokens:N0} tokens");
            var at = where(list.Count);
            if (token.Length is 0 or > MaxTokenLength)
                throw new MlacInputException($"{source}: {at}: a token must have 1 to {MaxTokenLength} characters, got {token.Length}");
            if (token.Any(char.IsControl) || token != token.Trim())
                throw new MlacInputException($"{source}: {at}: token '{token}' holds a control character or surrounding whitespace");
            if (!ids.TryAdd(token, list.Count))
                throw new MlacInputException($"{source}: {at}: token '{token}' already has id {ids[token]}");
            list.Add(token);
        }
        if (list.Count == 0) throw new MlacInputException($"{source}: the vocabulary is empty");
        foreach (var special in BertSpecialTokens.Required)
        {
            if (!ids.ContainsKey(special)) throw new MlacInputException($"{source}: the vocabulary has no {special} token");
        }
        return new WordPieceVocabulary(list, ids);
    }
}
