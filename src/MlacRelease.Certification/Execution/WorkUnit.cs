using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// The unit of scheduling, sharding and resumption. Units are independent of each other (a search never looks at
/// another target's results), so any subset can run anywhere and the union of results is the same.
/// </summary>
/// <param name="Id">Stable name, e.g. "model/lora/n=20" or "pretrained/retention".</param>
/// <param name="Runs">Fine-tuning runs the unit makes.</param>
/// <param name="Cost">Estimated work in token passes (forward = 1, forward + backward = 3), for balancing and ETAs.</param>
public sealed record WorkUnit(string Id, UnitKind Kind, TargetRole Target, AttackSpace? Attack, AttackerDataSize? DataSize, int Runs, double Cost)
{
    /// <summary>A file-name form of <see cref="Id"/>.</summary>
    public string Slug => Id.Replace("/", "__", StringComparison.Ordinal).Replace("=", "-", StringComparison.Ordinal);

    public static string TargetName(TargetRole role) => role switch
    {
        TargetRole.Model => "model",
        TargetRole.Pretrained => "pretrained",
        TargetRole.RandomInit => "random_init",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };
}
