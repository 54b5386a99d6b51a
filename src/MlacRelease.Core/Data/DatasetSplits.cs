namespace MlacRelease.Core.Data;

/// <summary>
/// The result of <see cref="DatasetSplitter.Split"/>: four disjoint lists that together hold every example of
/// <see cref="Source"/>. Label indices come from the source dataset, so they agree across splits.
/// </summary>
public sealed class DatasetSplits
{
    internal DatasetSplits(
        Dataset source,
        SplitFractions fractions,
        ulong seed,
        IReadOnlyList<Example> defenderTrain,
        IReadOnlyList<Example> attackerTrain,
        IReadOnlyList<Example> attackerTune,
        IReadOnlyList<Example> test)
    {
        Source = source;
        Fractions = fractions;
        Seed = seed;
        DefenderTrain = defenderTrain;
        AttackerTrain = attackerTrain;
        AttackerTune = attackerTune;
        Test = test;
    }

    public Dataset Source { get; }

    public SplitFractions Fractions { get; }

    public ulong Seed { get; }

    public IReadOnlyList<Example> DefenderTrain { get; }

    public IReadOnlyList<Example> AttackerTrain { get; }

    public IReadOnlyList<Example> AttackerTune { get; }

    public IReadOnlyList<Example> Test { get; }

    public IReadOnlyList<Example> this[SplitName split] => split switch
    {
        SplitName.DefenderTrain => DefenderTrain,
        SplitName.AttackerTrain => AttackerTrain,
        SplitName.AttackerTune => AttackerTune,
        SplitName.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, null),
    };
}
