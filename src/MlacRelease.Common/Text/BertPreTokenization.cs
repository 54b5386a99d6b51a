using System.Globalization;
using System.Text;

namespace MlacRelease.Common.Text;

/// <summary>
/// What Hugging Face's tokenizers library does to text before WordPiece, for a BERT tokenizer.json: special tokens
/// are split off first, on the raw text (added tokens with normalized = false); then BertNormalizer (clean_text,
/// handle_chinese_chars, strip_accents, lowercase) and BertPreTokenizer (split at whitespace and around every
/// punctuation character). Microsoft.ML.Tokenizers' own basic tokenisation differs: it drops symbol characters
/// ('+', '$', '=', '©', emoji …) instead of keeping them as words, and splits at zero-width characters that Hugging
/// Face removes, so its ids disagreed with transformers.js on such text. Only WordPiece itself is left to that library.
/// </summary>
public static class BertPreTokenization
{
    /// <summary>The pieces of <paramref name="text"/> in order: a special token (by its string) or a word for WordPiece.</summary>
    public static IEnumerable<(string Piece, bool IsSpecial)> Split(string text, TokenizerSettings settings, IReadOnlyList<string> specialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(settings);
        var start = 0;
        while (start <= text.Length)
        {
            // Leftmost match, the longest where two start at the same place (as the added-vocabulary split does).
            var (at, special) = (text.Length, (string?)null);
            foreach (var token in specialTokens)
            {
                var i = text.IndexOf(token, start, StringComparison.Ordinal);
                if (i >= 0 && (i < at || (i == at && token.Length > special!.Length))) (at, special) = (i, token);
            }
            foreach (var word in Words(text[start..at], settings)) yield return (word, false);
            if (special is null) yield break;
            yield return (special, true);
            start = at + special.Length;
        }
    }

    /// <summary>BertNormalizer then BertPreTokenizer on text without special tokens.</summary>
    public static IEnumerable<string> Words(string text, TokenizerSettings settings)
    {
        var normalized = Normalize(text, settings);
        var word = new StringBuilder();
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune) || IsPunctuation(rune))
            {
                if (word.Length > 0) yield return word.ToString();
                word.Clear();
                if (IsPunctuation(rune)) yield return rune.ToString();
                continue;
            }
            word.Append(rune.ToString());
        }
        if (word.Length > 0) yield return word.ToString();
    }

    /// <summary>BertNormalizer with clean_text and handle_chinese_chars on, in the Rust library's order.</summary>
    public static string Normalize(string text, TokenizerSettings settings)
    {
        var cleaned = new StringBuilder(text.Length);
        // EnumerateRunes yields U+FFFD for a lone surrogate, which clean_text removes like the replacement character itself.
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is 0 or 0xFFFD || IsControl(rune)) continue;
            if (rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator) cleaned.Append(' ');
            else if (IsChinese(rune.Value)) cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            else cleaned.Append(rune.ToString());
        }
        var result = cleaned.ToString();
        if (settings.StripAccents)
        {
            var decomposed = result.Normalize(NormalizationForm.FormD);
            var stripped = new StringBuilder(decomposed.Length);
            foreach (var rune in decomposed.EnumerateRunes())
            {
                if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark) stripped.Append(rune.ToString());
            }
            result = stripped.ToString();
        }
        return settings.LowerCase ? result.ToLowerInvariant() : result;
    }

    /// <summary>Cc, Cf, Cn, Co (and lone surrogates), except tab, newline and carriage return, which are whitespace.</summary>
    private static bool IsControl(Rune rune) => rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    /// <summary>Every ASCII non-alphanumeric printable character counts as punctuation, as in BERT, besides Unicode's P* categories.</summary>
    private static bool IsPunctuation(Rune rune) =>
        rune.Value is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    /// <summary>The CJK Unified Ideographs blocks BERT pads with spaces (not Hangul, Hiragana or Katakana).</summary>
    private static bool IsChinese(int c) =>
        c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
