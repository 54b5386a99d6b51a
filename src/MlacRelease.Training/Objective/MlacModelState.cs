using MlacRelease.Core.Attack;
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

    /// <summary>The name of <see cref="DesiredHead"/> among the parameters; heads are named under "head.".</summary>
    public const string DesiredHeadName = HeadPrefix + Core.Model.HeadsFile.DesiredWeight;
    private const string HeadPrefix = "head.";
    private const string AttackerPrefix = "attacker.";

    /// <summary>Parameters of the outer objective, in a fixed order: encoder by name, then the desired head.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> OuterParameters =>
        Encoder.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value))
            .Append((DesiredHeadName, DesiredHead)).ToList();

    public IReadOnlyList<(string Name, Tensor Tensor)> AttackerParameters =>
        [(AttackerPrefix + "head.weight", AttackerHead), (AttackerPrefix + "learning_rate", AttackerLearningRate)];

    /// <summary>True for a parameter name of the encoder, false for a head's or the attacker's.</summary>
    public static bool IsEncoderParameter(string name) =>
        !name.StartsWith(HeadPrefix, StringComparison.Ordinal) && !name.StartsWith(AttackerPrefix, StringComparison.Ordinal);

    public static MlacModelState Create(EncoderWeights encoder, int desiredClasses, int harmfulClasses, double attackerLearningRate, long seed)
    {
        var generator = new Generator((ulong)seed, CPU);
        var hidden = encoder.Config.HiddenSize;
        var device = encoder.Device;
        var dtype = encoder.DType;
        // Both heads from one generator, desired first: the order fixes which draw each head gets.
        var desired = ClassifierHead.Initial(desiredClasses, hidden, encoder.Config.InitializerRange, generator, dtype, device);
        var attacker = ClassifierHead.Initial(harmfulClasses, hidden, encoder.Config.InitializerRange, generator, dtype, device);
        return new MlacModelState(encoder, desired, attacker, tensor(attackerLearningRate, dtype, device));
    }

    public void Dispose()
    {
        Encoder.Dispose();
        DesiredHead.Dispose();
        AttackerHead.Dispose();
        AttackerLearningRate.Dispose();
    }
}
