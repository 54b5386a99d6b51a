using MlacRelease.Core.Data;

namespace MlacRelease.Certification.Certificates;

/// <summary>The shares of the dataset given to each split, as a certificate records them.</summary>
public sealed record SplitDescription(double DefenderTrain, double AttackerTrain, double AttackerTune, double Test)
{
    public static SplitDescription Of(SplitFractions fractions) =>
        new(fractions.DefenderTrain, fractions.AttackerTrain, fractions.AttackerTune, fractions.Test);
}
