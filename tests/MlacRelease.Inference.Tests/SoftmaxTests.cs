namespace MlacRelease.Inference.Tests;

public sealed class SoftmaxTests
{
    [Fact]
    public void Probabilities_match_the_textbook_formula_on_small_logits()
    {
        var p = Softmax.Of([0f, 1f, 2f]);
        var z = 1 + Math.E + Math.E * Math.E;
        p.Should().HaveCount(3);
        p[0].Should().BeApproximately((float)(1 / z), 1e-7f);
        p[1].Should().BeApproximately((float)(Math.E / z), 1e-7f);
        p[2].Should().BeApproximately((float)(Math.E * Math.E / z), 1e-7f);
    }

    [Fact]
    public void Large_logits_do_not_overflow()
    {
        // exp(1000) is infinite in double: the textbook formula gives NaN here; shifting by the maximum gives the
        // same probabilities as for logits 0, 1, −1.
        double.IsInfinity(Math.Exp(1000)).Should().BeTrue();
        var p = Softmax.Of([1000f, 1001f, 999f]);
        p.Should().OnlyContain(v => float.IsFinite(v));
        p.Sum().Should().BeApproximately(1f, 1e-6f);
        var shifted = Softmax.Of([0f, 1f, -1f]);
        for (var i = 0; i < 3; i++) p[i].Should().BeApproximately(shifted[i], 1e-6f);
    }

    [Fact]
    public void Very_negative_logits_underflow_to_zero_and_the_rest_still_sums_to_one()
    {
        Softmax.Of([-1e30f, 0f]).Should().Equal(0f, 1f);
    }

    [Fact]
    public void No_logits_give_no_probabilities()
    {
        Softmax.Of([]).Should().BeEmpty();
    }
}
