using MlacRelease.Certification.Data;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// What every attack of a certification shares: the (compacted) data, the evaluation sets on the device, and how
/// often the attacker evaluates. Thread-safe to share; owns the device tensors it creates.
/// </summary>
public sealed class AttackContext : IDisposable
{
    public AttackContext(IReadOnlyList<EncodedExample> attackerTrain, IReadOnlyList<EncodedExample> tune, IReadOnlyList<EncodedExample> test,
        IReadOnlyList<EncodedExample> desiredTrain, int harmfulClasses, int desiredClasses, int padId, int evaluateEvery, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(evaluateEvery, 1);
        AttackerTrain = attackerTrain;
        DesiredTrain = desiredTrain;
        HarmfulClasses = harmfulClasses;
        DesiredClasses = desiredClasses;
        PadId = padId;
        EvaluateEvery = evaluateEvery;
        Device = device;
        Tune = new EvaluationSet(tune, e => e.Harmful, device, padId);
        Test = new EvaluationSet(test, e => e.Harmful, device, padId);
        DesiredTest = new EvaluationSet(test, e => e.Desired, device, padId);
    }

    public IReadOnlyList<EncodedExample> AttackerTrain { get; }

    public IReadOnlyList<EncodedExample> DesiredTrain { get; }

    public int HarmfulClasses { get; }

    public int DesiredClasses { get; }

    public int PadId { get; }

    public int EvaluateEvery { get; }

    public Device Device { get; }

    /// <summary>Attacker-tune split, harmful labels: what the attacker selects on.</summary>
    public EvaluationSet Tune { get; }

    /// <summary>Test split, harmful labels: where certified numbers come from.</summary>
    public EvaluationSet Test { get; }

    /// <summary>Test split, desired labels: for the retention checks.</summary>
    public EvaluationSet DesiredTest { get; }

    internal FeatureCache Features { get; } = new();

    public void Dispose()
    {
        Tune.Dispose();
        Test.Dispose();
        DesiredTest.Dispose();
        Features.Dispose();
    }
}
