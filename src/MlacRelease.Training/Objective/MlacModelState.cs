using MlacRelease.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// Everything MLAC trains: the encoder θ and the desired-task head (by the outer objective), and the attacker's
/// initial head h₀ and learning rate α (meta-learned to help the simulated attacker). All are autograd leaves.
/// </summary>
public sealed class MlacModelState : IDisposable
{
    public MlacModelState(EncoderWeights encoder, Tensor desiredHead, Tensor attackerHead, Tensor attackerLearningRate)
    {
        Encoder = encoder;
        DesiredHead = desiredHead;
        AttackerHead = attackerHead;
        AttackerLearningRate = attackerLearningRate;
        var hidden = encoder.Config.HiddenSize;
        PooledMean = zeros([hidden], encoder.DType, encoder.Device);
        PooledScale = ones([hidden], encoder.DType, encoder.Device);
        Encoder.RequireGrad();
        foreach (var t in new[] { DesiredHead, AttackerHead, AttackerLearningRate }) t.requires_grad_(true);
    }

    public EncoderWeights Encoder { get; }

    /// <summary>[desired classes, hidden], bias-free, on the pooled output (as the paper's shared head).</summary>
    public Tensor DesiredHead { get; }

    /// <summary>[harmful classes, hidden], bias-free.</summary>
    public Tensor AttackerHead { get; }

    /// <summary>Scalar.</summary>
    public Tensor AttackerLearningRate { get; }

    /// <summary>Fixed per-dimension mean and scale of the pretrained encoder's pooled output; both heads read
    /// (pooled − mean) / scale. Not trained. A bias-free linear head on the raw pooler output cannot use features that
    /// vary by 2·10⁻⁴ across examples (the built-in MiniLM cut to 2 layers feeds its pooler states it was not trained
    /// on); standardising makes the heads, and the simulated attacker, work at the paper's learning rates. Identity
    /// (0, 1) unless set.</summary>
    public Tensor PooledMean { get; private set; } = null!;

    public Tensor PooledScale { get; private set; } = null!;

    /// <summary>What the heads read.</summary>
    public Tensor HeadInput(Tensor pooled) => (pooled - PooledMean) / PooledScale;

    public void SetPooledStatistics(Tensor mean, Tensor scale)
    {
        using (no_grad())
        {
            PooledMean.copy_(mean);
            PooledScale.copy_(scale);
        }
    }

    /// <summary>Tensors a checkpoint must keep besides the trained ones.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> FixedTensors => [("pooled.mean", PooledMean), ("pooled.scale", PooledScale)];

    /// <summary>Parameters of the outer objective, in a fixed order: encoder by name, then the desired head.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> OuterParameters =>
        Encoder.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value))
            .Append(("head.desired.weight", DesiredHead)).ToList();

    public IReadOnlyList<(string Name, Tensor Tensor)> AttackerParameters =>
        [("attacker.head.weight", AttackerHead), ("attacker.learning_rate", AttackerLearningRate)];

    public static MlacModelState Create(EncoderWeights encoder, int desiredClasses, int harmfulClasses, double attackerLearningRate, long seed)
    {
        var generator = new Generator((ulong)seed, CPU);
        var hidden = encoder.Config.HiddenSize;
        var device = encoder.Device;
        var dtype = encoder.DType;
        // Linear-layer initialisation as Hugging Face's classifier heads: normal(0, initializer_range).
        var desired = normal(0, encoder.Config.InitializerRange, [desiredClasses, hidden], dtype, generator: generator).to(device);
        var attacker = normal(0, encoder.Config.InitializerRange, [harmfulClasses, hidden], dtype, generator: generator).to(device);
        return new MlacModelState(encoder, desired, attacker, tensor(attackerLearningRate, dtype, device));
    }

    public void Dispose()
    {
        Encoder.Dispose();
        DesiredHead.Dispose();
        AttackerHead.Dispose();
        AttackerLearningRate.Dispose();
        PooledMean.Dispose();
        PooledScale.Dispose();
    }
}
