namespace MlacRelease.Certification.Data;

/// <summary>Which encoder an attack runs against: the one under test, or one of the two references every run includes.</summary>
public enum TargetRole
{
    /// <summary>The encoder being certified.</summary>
    Model,

    /// <summary>The ordinary pretrained encoder it was made from: the "easy to adapt" reference.</summary>
    Pretrained,

    /// <summary>A randomly initialised encoder of the same shape: the "training from scratch" reference.</summary>
    RandomInit,
}
