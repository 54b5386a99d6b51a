using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Execution;

namespace MlacRelease.Certification.Costing;

/// <summary>
/// One run of a battery's plan chosen for a cost sample: search trial <paramref name="Trial"/> of a model-arm unit at
/// the first rung, with the configuration, data and seed the certification itself gives it.
/// </summary>
/// <param name="Steps">The rung's steps (null for the probe, which has none).</param>
public sealed record CostPick(WorkUnit Unit, int Trial, AttackConfig Config, int AttackerExamples, int? Steps)
{
    public string Family => CertificationPlanner.FamilyName(Unit);

    /// <summary>The run's name in the certification's store and timings ("search-r0-t001").</summary>
    public string RunName => $"search-r0-t{Trial:D3}";
}
