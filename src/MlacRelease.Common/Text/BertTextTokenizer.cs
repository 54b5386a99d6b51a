using Microsoft.ML.Tokenizers;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Text;

/// <summary>
/// WordPiece tokenization as Hugging Face's tokenizers library does it for a BERT tokenizer.json (special tokens,
/// BertNormalizer, BertPreTokenizer: see <see cref="BertPreTokenization"/>; then WordPiece on Microsoft.ML.Tokenizers;
/// [CLS] … [SEP]), plus the padding, masks and truncation that library does not provide.
/// </summary>
public sealed class BertTextTokenizer
{
    private readonly BertTokenizer _tokenizer;
    private readonly WordPieceVocabulary _vocabulary;
    private readonly string[] _specialTokens;

    public BertTextTokenizer(string vocabularyText, TokenizerSettings? settings = null, string source = "vocabulary")
    {
        Settings = (settings ?? new TokenizerSettings()).Validate();
        if (string.IsNullOrWhiteSpace(vocabularyText)) throw new MlacInputException($"{source}: the vocabulary is empty");
        _vocabulary = WordPieceVocabulary.FromText(vocabularyText, source);
        // Microsoft's BertTokenizer.Create looks these up and threw KeyNotFoundException for a vocabulary without one (found by fuzzing).
        foreach (var token in RequiredTokens)
        {
            if (_vocabulary.IdOf(token) is null)
                throw new MlacInputException($"{source}: no '{token}' token; a BERT vocabulary needs {string.Join(", ", RequiredTokens)}");
        }
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(_vocabulary.ToText()));
        // Normalisation and pre-tokenisation are ours (Microsoft's basic tokenisation drops symbol characters that
        // Hugging Face keeps); this instance only looks words up, with every option that would change text off.
        _tokenizer = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = false,
            RemoveNonSpacingMarks = false,
            ApplyBasicTokenization = false,
            IndividuallyTokenizeCjk = false,
            SplitOnSpecialTokens = false,
        });
        _specialTokens = BertSpecialTokens.Roles.Select(r => r.Token).Where(t => _vocabulary.IdOf(t) is not null).ToArray();
        VocabularySize = _vocabulary.Count;
    }

    public static BertTextTokenizer FromFile(string vocabularyPath, TokenizerSettings? settings = null)
    {
        if (!File.Exists(vocabularyPath)) throw new FileNotFoundException($"{vocabularyPath}: no such vocabulary file", vocabularyPath);
        return new BertTextTokenizer(File.ReadAllText(vocabularyPath), settings, vocabularyPath);
    }

    private static readonly string[] RequiredTokens = [BertSpecialTokens.Pad, BertSpecialTokens.Unknown, BertSpecialTokens.Cls, BertSpecialTokens.Sep, BertSpecialTokens.Mask];

    /// <summary>The tokenizer a release's tokenizer.json describes: the same vocabulary and settings Hugging Face consumers
    /// read from that file. Throws when the special tokens' ids come out other than the file's.</summary>
    public static BertTextTokenizer FromTokenizerJson(HuggingFaceTokenizerJson file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        var tokenizer = new BertTextTokenizer(file.Vocabulary.ToText(), file.Settings, source);
        foreach (var (token, id) in new[] { (BertSpecialTokens.Cls, tokenizer.ClsId), (BertSpecialTokens.Sep, tokenizer.SepId), (BertSpecialTokens.Pad, tokenizer.PadId), (BertSpecialTokens.Unknown, tokenizer.UnknownId) })
        {
            if (file.Vocabulary.IdOf(token) != id)
                throw new MlacInputException($"{source}: {token} has id {file.Vocabulary.IdOf(token)} in the file but {id} in the tokenizer built from it");
        }
        return tokenizer;
    }

    public TokenizerSettings Settings { get; }

    public int VocabularySize { get; }

    /// <summary>The vocabulary and normalisation this tokenizer cuts text with (see <see cref="TokenizerDigest"/>).</summary>
    public string Digest => TokenizerDigest.Of(_vocabulary, Settings);

    /// <summary>The vocabulary's wordpieces, by id.</summary>
    public IReadOnlyList<string> VocabularyTokens => _vocabulary.Tokens;

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
        var pieces = Pieces(text);
        var take = Math.Min(pieces.Count, limit - 2);
        var ids = new List<int>(take + 2) { ClsId };
        for (var i = 0; i < take; i++) ids.Add(pieces[i]);
        ids.Add(SepId);
        return ids;
    }

    /// <summary>The wordpieces of <paramref name="text"/> as strings, without [CLS] and [SEP].</summary>
    public IReadOnlyList<string> Tokens(string text) => Pieces(text).Select(id => _vocabulary.Tokens[id]).ToList();

    /// <summary>The ids of the text's special tokens and wordpieces, untruncated.</summary>
    private List<int> Pieces(string text)
    {
        var ids = new List<int>();
        foreach (var (piece, isSpecial) in BertPreTokenization.Split(text, Settings, _specialTokens))
        {
            if (isSpecial) ids.Add(_vocabulary.IdOf(piece)!.Value);
            else ids.AddRange(_tokenizer.EncodeToIds(piece, addSpecialTokens: false, considerPreTokenization: false, considerNormalization: false));
        }
        return ids;
    }

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
