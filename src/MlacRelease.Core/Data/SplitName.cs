namespace MlacRelease.Core.Data;

/// <summary>The four disjoint parts of a dataset, in the order the splitter fills them.</summary>
public enum SplitName
{
    DefenderTrain = 0,
    AttackerTrain = 1,
    AttackerTune = 2,
    Test = 3,
}
