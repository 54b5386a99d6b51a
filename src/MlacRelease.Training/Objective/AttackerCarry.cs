using MlacRelease.Common.Errors;
using MlacRelease.Training.Inner;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// Carries the simulated LoRA attacker from one long rollout to the next (<see cref="CarriedAttacker"/>) until it has
/// taken <see cref="Horizon"/> inner steps; then the next long LoRA rollout starts a fresh one from its own draw.
/// Owned by the trainer, saved in every checkpoint, so a resumed run continues the same attacker.
/// </summary>
/// <remarks>
/// Why: every fresh 32-step simulated LoRA attack failed (its harmful cross-entropy stayed at ln 2 through A3's run),
/// so the outer loop learned nothing about LoRA, while the battery's LoRA attack recovers the harmful task only after
/// hundreds of steps. A carried attacker reaches those states; its suppression terms are taken there.
/// </remarks>
public sealed class AttackerCarry(int horizon) : IDisposable
{
    /// <summary>Inner steps after which a carried attacker is retired; 0 = never carry.</summary>
    public int Horizon { get; } = horizon >= 0 ? horizon : throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "expected ≥ 0");

    /// <summary>The attacker the next long LoRA rollout continues; null before the first or after retirement.</summary>
    public CarriedAttacker? Current { get; private set; }

    /// <summary>True for a rollout that carries its attacker: a long (first-order) LoRA rollout the sampler marked
    /// (<see cref="RolloutPlan.Carries"/>) while carrying is on.</summary>
    public bool Applies(RolloutPlan plan) => Horizon > 0 && plan.Carries && plan.Lora is not null && plan.SuppressionEvery is not null;

    /// <summary>The plan as it will run: a carried rollout continues <see cref="Current"/> (its LoRA draw and optimiser
    /// replace the plan's; the plan's batches stay) unless that attacker has reached the horizon, which retires it.
    /// <see cref="RolloutPlan.CarriedSteps"/> records the steps it had taken (0 = fresh).</summary>
    public RolloutPlan Continue(RolloutPlan plan)
    {
        if (!Applies(plan)) return plan;
        if (Current is { } current && current.StepsTaken < Horizon)
            return plan with { Lora = current.Lora, Attacker = current.Draw, CarriedSteps = current.StepsTaken };
        Retire();
        return plan with { CarriedSteps = 0 };
    }

    /// <summary>Hands <see cref="Current"/> to the rollout that continues it (the rollout then owns its tensors).</summary>
    public CarriedAttacker Take(RolloutPlan plan)
    {
        var current = Current ?? throw new InvalidOperationException($"the plan continues an attacker after {plan.CarriedSteps} steps, but none is carried");
        if (current.StepsTaken != plan.CarriedSteps || current.Lora != plan.Lora)
            throw new InvalidOperationException($"the plan continues an attacker after {plan.CarriedSteps} steps, the carried one has taken {current.StepsTaken}");
        Current = null;
        return current;
    }

    /// <summary>The attacker as a rollout left it, for the next one.</summary>
    public void Keep(CarriedAttacker attacker)
    {
        Retire();
        Current = attacker;
    }

    private void Retire()
    {
        Current?.Dispose();
        Current = null;
    }

    private const string PhiPrefix = "phi.";
    private const string OptimizerPrefix = "opt.";

    /// <summary>The carried attacker's tensors by name (none when nothing is carried).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> SavedTensors() => Current is not { } c ? []
        : c.Phi.Select((t, i) => ($"{PhiPrefix}{i}", t)).Concat(c.Optimizer.SavedState().Select(s => (OptimizerPrefix + s.Name, s.Tensor)));

    /// <summary>What a checkpoint records besides the tensors; null when nothing is carried.</summary>
    public CarriedAttackerInfo? SavedInfo() => Current is not { } c ? null
        : new CarriedAttackerInfo { Lora = c.Lora, StepsTaken = c.StepsTaken, Draw = c.Draw, PhiCount = c.Phi.Count };

    /// <summary>Replaces the carried attacker with a checkpoint's (tensors by the names <see cref="SavedTensors"/> gave,
    /// without its prefix; copied to <paramref name="device"/>). A malformed one is an <see cref="MlacInputException"/>
    /// the caller names the file in.</summary>
    public void Restore(CarriedAttackerInfo? info, IReadOnlyDictionary<string, Tensor> tensors, InnerOptimizerKind fallbackOptimizer, bool textbookAdam, Device device)
    {
        Retire();
        if (info is null)
        {
            if (tensors.Count > 0) throw new MlacInputException("carried-attacker tensors without their description");
            return;
        }
        if (info.PhiCount < 1 || info.StepsTaken < 1 || info.Lora is not { Rank: >= 1 })
            throw new MlacInputException($"carried attacker: expected phi_count, steps_taken and a LoRA rank ≥ 1, got {info.PhiCount}, {info.StepsTaken}, {info.Lora?.Rank}");
        var phi = new List<Tensor>(info.PhiCount);
        for (var i = 0; i < info.PhiCount; i++)
        {
            if (!tensors.TryGetValue($"{PhiPrefix}{i}", out var t)) throw new MlacInputException($"carried attacker tensor '{PhiPrefix}{i}' is missing");
            phi.Add(t.to(device).detach().clone().requires_grad_(true));
        }
        var optimizer = InnerOptimizers.Create(info.Draw?.Optimizer ?? fallbackOptimizer, textbookAdam);
        optimizer.LoadState(tensors.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => kv.Value.to(device).detach().clone()));
        Current = new CarriedAttacker(info.Lora, info.Draw, phi, optimizer, info.StepsTaken);
    }

    public void Dispose() => Retire();
}

/// <summary>The carried attacker's description in a checkpoint.</summary>
public sealed record CarriedAttackerInfo
{
    public LoraRollout? Lora { get; init; }
    public int StepsTaken { get; init; }
    public AttackerDraw? Draw { get; init; }
    public int PhiCount { get; init; }
}
