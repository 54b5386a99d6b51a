namespace MlacRelease.Core.Data;

/// <summary>
/// Shares of a dataset given to each split. Validated on construction, so an instance is always usable.
/// </summary>
public sealed record SplitFractions
{
    private const double Tolerance = 1e-9;

    /// <summary>The paper's split: 85 % defender training, 2.5 % attacker training, 2.5 % attacker tuning, 10 % test.</summary>
    public static SplitFractions Paper { get; } = new(0.85, 0.025, 0.025, 0.10);

    /// <summary>Throws <see cref="ArgumentException"/> unless every share is finite and non-negative and they sum to 1 ± 1e-9.</summary>
    public SplitFractions(double defenderTrain, double attackerTrain, double attackerTune, double test)
    {
        Check(defenderTrain, nameof(defenderTrain));
        Check(attackerTrain, nameof(attackerTrain));
        Check(attackerTune, nameof(attackerTune));
        Check(test, nameof(test));
        var sum = defenderTrain + attackerTrain + attackerTune + test;
        if (Math.Abs(sum - 1.0) > Tolerance)
            throw new ArgumentException($"Split fractions must sum to 1, got {sum:R}.");
        DefenderTrain = defenderTrain;
        AttackerTrain = attackerTrain;
        AttackerTune = attackerTune;
        Test = test;
    }

    /// <summary>Data the defender (MLAC training) sees.</summary>
    public double DefenderTrain { get; }

    /// <summary>Data the simulated attacker fine-tunes on.</summary>
    public double AttackerTrain { get; }

    /// <summary>Data the attacker scores its hyper-parameter search on.</summary>
    public double AttackerTune { get; }

    /// <summary>Held-out data the reported numbers come from.</summary>
    public double Test { get; }

    public double this[SplitName split] => split switch
    {
        SplitName.DefenderTrain => DefenderTrain,
        SplitName.AttackerTrain => AttackerTrain,
        SplitName.AttackerTune => AttackerTune,
        SplitName.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, null),
    };

    private static void Check(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, "Split fractions must be finite and non-negative.");
    }
}
