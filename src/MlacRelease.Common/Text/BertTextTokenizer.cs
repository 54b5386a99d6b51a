using Microsoft.ML.Tokenizers;

namespace MlacRelease.Common.Text;

/// <summary>
/// WordPiece tokenization as Hugging Face's BertTokenizer does it (basic tokenization, lower-casing, accent
/// stripping, CJK splitting, [CLS] … [SEP]), on Microsoft.ML.Tokenizers, plus the padding, masks and truncation
/// that library does not provide.
/// </summary>
public sealed class BertTextTokenizer
{
    private readonly BertTokenizer _tokenizer;

    public BertTextTokenizer(string vocabularyText, TokenizerSettings? settings = null)
    {
        Settings = (settings ?? new TokenizerSettings()).Validate();
        if (string.IsNullOrWhiteSpace(vocabularyText)) throw new InvalidDataException("the vocabulary is empty");
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(vocabularyText));
        _tokenizer = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = Settings.LowerCase,
            RemoveNonSpacingMarks = Settings.StripAccents,
            ApplyBasicTokenization = true,
            IndividuallyTokenizeCjk = true,
            SplitOnSpecialTokens = true,
        });
        VocabularySize = vocabularyText.Split('\n').Count(line => line.Length > 0);
    }

    public static BertTextTokenizer FromFile(string vocabularyPath, TokenizerSettings? settings = null)
    {
        if (!File.Exists(vocabularyPath)) throw new FileNotFoundException($"{vocabularyPath}: no such vocabulary file", vocabularyPath);
        return new BertTextTokenizer(File.ReadAllText(vocabularyPath), settings);
    }

    /// <summary>The tokenizer a release's tokenizer.json describes: the same vocabulary and settings Hugging Face consumers
    /// read from that file. Throws when the special tokens' ids come out other than the file's.</summary>
    public static BertTextTokenizer FromTokenizerJson(HuggingFaceTokenizerJson file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        var tokenizer = new BertTextTokenizer(file.Vocabulary.ToText(), file.Settings);
        foreach (var (token, id) in new[] { (BertSpecialTokens.Cls, tokenizer.ClsId), (BertSpecialTokens.Sep, tokenizer.SepId), (BertSpecialTokens.Pad, tokenizer.PadId), (BertSpecialTokens.Unknown, tokenizer.UnknownId) })
        {
            if (file.Vocabulary.IdOf(token) != id)
                throw new InvalidDataException($"{source}: {token} has id {file.Vocabulary.IdOf(token)} in the file but {id} in the tokenizer built from it");
        }
        return tokenizer;
    }

    public TokenizerSettings Settings { get; }

    public int VocabularySize { get; }

    public int ClsId => _tokenizer.ClassificationTokenId;

    public int SepId => _tokenizer.SeparatorTokenId;

    public int PadId => _tokenizer.PaddingTokenId;

    public int UnknownId => _tokenizer.UnknownTokenId;

    /// <summary>[CLS] wordpieces [SEP], truncated to <paramref name="maxLength"/> (default: the settings') keeping [SEP] last.</summary>
    public IReadOnlyList<int> Encode(string text, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var limit = maxLength ?? Settings.MaxLength;
        if (limit < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), "room is needed for [CLS] and [SEP]");
        var pieces = _tokenizer.EncodeToIds(text, addSpecialTokens: false);
        var take = Math.Min(pieces.Count, limit - 2);
        var ids = new List<int>(take + 2) { ClsId };
        for (var i = 0; i < take; i++) ids.Add(pieces[i]);
        ids.Add(SepId);
        return ids;
    }

    public IReadOnlyList<string> Tokens(string text) =>
        _tokenizer.EncodeToTokens(text, out _).Select(t => t.Value).ToList();

    /// <summary>Encodes and pads to the longest text in the batch (not to the maximum length: less work per step).</summary>
    public TokenizedBatch EncodeBatch(IReadOnlyList<string> texts, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("a batch needs at least one text", nameof(texts));
        var encoded = texts.Select(t => Encode(t, maxLength)).ToList();
        var length = encoded.Max(e => e.Count);
        var ids = new long[texts.Count * length];
        var mask = new long[texts.Count * length];
        for (var row = 0; row < encoded.Count; row++)
        {
            var offset = row * length;
            Array.Fill(ids, PadId, offset, length);
            for (var i = 0; i < encoded[row].Count; i++)
            {
                ids[offset + i] = encoded[row][i];
                mask[offset + i] = 1;
            }
        }
        return new TokenizedBatch(texts.Count, length, ids, mask, new long[ids.Length]);
    }
}
