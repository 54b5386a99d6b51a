using MlacRelease.Common.Text;

namespace MlacRelease.Inference.Tests;

/// <summary>Sentence vectors from a batch's outputs, against values worked out by hand.</summary>
public sealed class EmbeddingPoolingTests
{
    // Two rows of three tokens, hidden size 2; row 1's last token is padding and holds a value that would show.
    private static readonly TokenizedBatch Batch = new(2, 3, [2, 5, 3, 2, 6, 0], [1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0]);

    private static readonly EncoderResult Result = new(2, 3, 2,
        LastHiddenState: [1, 2, 3, 4, 5, 9, /* row 1 */ -1, 0, 3, 6, 100, 100],
        PoolerOutput: [0.5f, -0.5f, 0.25f, 0.75f], Logits: null, Classes: 0);

    [Fact]
    public void Mean_pooling_averages_the_real_tokens_only()
    {
        EmbeddingPooling.Pool(Result, Batch, 0, Pooling.Mean).Should().Equal(3f, 5f); // (1+3+5)/3, (2+4+9)/3
        EmbeddingPooling.Pool(Result, Batch, 1, Pooling.Mean).Should().Equal(1f, 3f); // (−1+3)/2, (0+6)/2: the padded 100s are left out
    }

    [Fact]
    public void Cls_pooling_takes_the_first_token_and_pooler_pooling_the_pooled_output()
    {
        EmbeddingPooling.Pool(Result, Batch, 1, Pooling.Cls).Should().Equal(-1f, 0f);
        EmbeddingPooling.Pool(Result, Batch, 1, Pooling.Pooler).Should().Equal(0.25f, 0.75f);
    }

    [Fact]
    public void A_row_with_no_real_token_pools_to_zero_rather_than_dividing_by_zero()
    {
        var empty = Batch with { AttentionMask = [1, 1, 1, 0, 0, 0] };
        EmbeddingPooling.Pool(Result, empty, 1, Pooling.Mean).Should().Equal(0f, 0f);
    }

    [Fact]
    public void Normalize_scales_to_unit_length_and_leaves_a_zero_vector_alone()
    {
        float[] vector = [3, 4];
        EmbeddingPooling.Normalize(vector);
        vector.Should().Equal(0.6f, 0.8f);
        float[] zero = [0, 0];
        EmbeddingPooling.Normalize(zero);
        zero.Should().Equal(0f, 0f);
    }
}
