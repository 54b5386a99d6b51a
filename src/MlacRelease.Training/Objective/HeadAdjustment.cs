using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// The "head adjustment" of MLAC: W* = argmin over W ∈ [−bound, bound]^{C×C} of CE(z·W, y), the best bounded linear
/// remap of an attacker's logits. Maximising CE(z·W*, y) stops the encoder from "blocking" by merely permuting or
/// flipping the attacker's labels. The reference code solves this with a convex-optimisation layer; here it is
/// solved on the host (C is tiny) by coordinate descent finished with projected Newton steps
/// (<see cref="HeadAdjustmentNewton"/>), and differentiated by
/// Danskin's theorem: the derivative of the optimal value with respect to z is ∂CE(z·W, y)/∂z at W = W*, so the
/// caller evaluates CE(z · W*.detach(), y) in the graph.
/// </summary>
public static class HeadAdjustment
{
    public const double DefaultBound = 1.0;

    /// <summary>Solves for W* given logits [N, C] and labels in 0..C−1: cyclic coordinate descent, each coordinate
    /// minimised exactly by a safeguarded 1-D Newton iteration inside its bounds. Converges for any scale of logits
    /// (a fixed-step gradient method slows down badly when the logits are large).</summary>
    public static double[,] Solve(double[,] logits, int[] labels, double bound = DefaultBound, int sweeps = 200)
    {
        var n = logits.GetLength(0);
        var c = logits.GetLength(1);
        if (labels.Length != n) throw new ArgumentException($"{labels.Length} labels for {n} rows");
        if (labels.Any(l => l < 0 || l >= c)) throw new ArgumentException($"labels must be in 0..{c - 1}");
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), "the bound must be positive");
        var w = Identity(c, bound);
        var current = Loss(logits, labels, w);
        for (var sweep = 0; sweep < sweeps; sweep++)
        {
            var start = current;
            for (var i = 0; i < c; i++)
            {
                for (var j = 0; j < c; j++)
                {
                    current = MinimiseCoordinate(logits, labels, w, i, j, bound, current);
                }
            }
            if (start - current <= 1e-15 * Math.Max(1, current)) break;
        }
        HeadAdjustmentNewton.Polish(logits, labels, w, bound, current);
        return w;
    }

    private static double MinimiseCoordinate(double[,] logits, int[] labels, double[,] w, int i, int j, double bound, double current)
    {
        var n = logits.GetLength(0);
        var c = logits.GetLength(1);
        var row = new double[c];
        for (var newton = 0; newton < 20; newton++)
        {
            double g = 0, h = 0;
            for (var r = 0; r < n; r++)
            {
                Remap(logits, r, w, row);
                var p = Math.Exp(row[j] - LogSumExp(row));
                g += logits[r, i] * (p - (labels[r] == j ? 1 : 0)) / n;
                h += logits[r, i] * logits[r, i] * p * (1 - p) / n;
            }
            var old = w[i, j];
            var target = h > 1e-300 ? old - g / h : old - Math.Sign(g) * bound;
            target = Math.Clamp(target, -bound, bound);
            // Backtrack towards the old value until the loss does not increase (Newton can overshoot on a flat sigmoid).
            var accepted = false;
            for (var halving = 0; halving < 40; halving++)
            {
                w[i, j] = target;
                var loss = Loss(logits, labels, w);
                if (loss <= current)
                {
                    current = loss;
                    accepted = true;
                    break;
                }
                target = old + (target - old) / 2;
            }
            if (!accepted)
            {
                w[i, j] = old;
                break;
            }
            if (Math.Abs(w[i, j] - old) < 1e-13) break;
        }
        return current;
    }

    /// <summary>Mean cross-entropy of softmax(z·W) against the labels.</summary>
    public static double Loss(double[,] logits, int[] labels, double[,] w)
    {
        var n = logits.GetLength(0);
        var c = logits.GetLength(1);
        double total = 0;
        var row = new double[c];
        for (var r = 0; r < n; r++)
        {
            Remap(logits, r, w, row);
            total += LogSumExp(row) - row[labels[r]];
        }
        return total / n;
    }

    /// <summary>W* for each of several logit tensors [N, C] at once (one host transfer), as a tensor on their device.</summary>
    public static Tensor SolveBatch(Tensor stackedLogits, Tensor labels, double bound = DefaultBound)
    {
        using var host = stackedLogits.detach().to(ScalarType.Float64, CPU);
        var count = (int)host.shape[0];
        var n = (int)host.shape[1];
        var c = (int)host.shape[2];
        var values = host.data<double>().ToArray();
        var y = labels.cpu().data<long>().ToArray().Select(l => (int)l).ToArray();
        var result = new double[count * c * c];
        for (var k = 0; k < count; k++)
        {
            var z = new double[n, c];
            for (var r = 0; r < n; r++)
                for (var j = 0; j < c; j++)
                    z[r, j] = values[(k * n + r) * c + j];
            var w = Solve(z, y, bound);
            for (var i = 0; i < c; i++)
                for (var j = 0; j < c; j++)
                    result[(k * c + i) * c + j] = w[i, j];
        }
        return tensor(result, [count, c, c]).to(stackedLogits.dtype, stackedLogits.device);
    }

    internal static void Remap(double[,] logits, int r, double[,] w, double[] row)
    {
        var c = w.GetLength(0);
        for (var j = 0; j < c; j++)
        {
            double s = 0;
            for (var i = 0; i < c; i++) s += logits[r, i] * w[i, j];
            row[j] = s;
        }
    }

    internal static double LogSumExp(double[] row)
    {
        var max = row.Max();
        return max + Math.Log(row.Sum(v => Math.Exp(v - max)));
    }

    private static double[,] Identity(int c, double bound)
    {
        var w = new double[c, c];
        for (var i = 0; i < c; i++) w[i, i] = Math.Min(1, bound);
        return w;
    }
}
