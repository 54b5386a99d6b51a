namespace MlacRelease.Certification.Execution;

public enum UnitKind
{
    /// <summary>One attack at one data size against one target: a search plus seed reruns.</summary>
    Attack,

    /// <summary>The desired-task retention runs of one target.</summary>
    Retention,
}
