using MlacRelease.Common.Text;
using MlacRelease.Core.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Tests.Text;

[Collection(MiniLmCollection.Name)]
public sealed class BertTextTokenizerTests(MiniLmFixture miniLm)
{
    private BertTextTokenizer Tokenizer => miniLm.Tokenizer;

    [Fact]
    public void Encodes_as_uncased_BERT_does()
    {
        // Ids of bert-base-uncased's vocabulary, which MiniLM shares: [CLS] hello , world ! [SEP].
        Tokenizer.Encode("Hello, World!").Should().Equal(101, 7592, 1010, 2088, 999, 102);
        Tokenizer.ClsId.Should().Be(101);
        Tokenizer.SepId.Should().Be(102);
        Tokenizer.PadId.Should().Be(0);
        Tokenizer.VocabularySize.Should().Be(30522);
    }

    [Fact]
    public void Lower_cases_and_strips_accents()
    {
        Tokenizer.Encode("HÉLLO Wörld").Should().Equal(Tokenizer.Encode("hello world"));
        Tokenizer.Tokens("Émilie's café").Should().NotContain(t => t.Any(c => c > 127));
    }

    [Fact]
    public void Keeps_accents_and_case_when_told_to()
    {
        var cased = new BertTextTokenizer(string.Join("\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "café", "cafe", "Hello", "hello"),
            new TokenizerSettings { LowerCase = false, StripAccents = false });
        cased.Tokens("café Hello").Should().Equal("café", "Hello");
    }

    [Fact]
    public void Splits_unknown_words_into_wordpieces_and_CJK_into_characters()
    {
        var pieces = Tokenizer.Tokens("unaffable");
        pieces.Count.Should().BeGreaterThan(1);
        pieces.Skip(1).Should().OnlyContain(p => p.StartsWith("##"));
        string.Concat(pieces.Select(p => p.TrimStart('#'))).Should().Be("unaffable");
        Tokenizer.Tokens("医生").Should().HaveCount(2);
    }

    [Fact]
    public void Truncates_keeping_CLS_first_and_SEP_last()
    {
        var ids = Tokenizer.Encode("one two three four five six seven", maxLength: 5);
        ids.Should().HaveCount(5);
        ids[0].Should().Be(Tokenizer.ClsId);
        ids[^1].Should().Be(Tokenizer.SepId);
        ids.Skip(1).Take(3).Should().Equal(Tokenizer.Encode("one two three").Skip(1).Take(3));
    }

    [Fact]
    public void Pads_a_batch_to_its_longest_text_with_a_matching_attention_mask()
    {
        var batch = Tokenizer.EncodeBatch(["hi", "a somewhat longer sentence", ""]);
        var longest = Tokenizer.Encode("a somewhat longer sentence").Count;
        batch.Length.Should().Be(longest);
        batch.BatchSize.Should().Be(3);
        batch.RealTokens(0).Should().Be(3);
        batch.RealTokens(1).Should().Be(longest);
        batch.RealTokens(2).Should().Be(2, "an empty text is [CLS] [SEP]");
        for (var row = 0; row < 3; row++)
        {
            for (var i = 0; i < batch.Length; i++)
            {
                var index = row * batch.Length + i;
                if (batch.AttentionMask[index] == 0) batch.InputIds[index].Should().Be(Tokenizer.PadId);
                else batch.InputIds[index].Should().NotBe(Tokenizer.PadId);
            }
        }
        batch.TokenTypeIds.Should().OnlyContain(t => t == 0);
    }

    [Fact]
    public void Rejects_bad_settings_and_empty_vocabularies()
    {
        ((Action)(() => new TokenizerSettings { MaxLength = 1 }.Validate())).Should().Throw<MlacInputException>();
        ((Action)(() => _ = new BertTextTokenizer("   "))).Should().Throw<MlacInputException>().WithMessage("*empty*");
        ((Action)(() => Tokenizer.EncodeBatch([]))).Should().Throw<ArgumentException>();
    }
}
