namespace MlacRelease.Certification.Policies;

public enum CheckStatus
{
    Pass,
    Fail,

    /// <summary>Checked at a later stage (export, gate), recorded here for completeness.</summary>
    Deferred,
}
