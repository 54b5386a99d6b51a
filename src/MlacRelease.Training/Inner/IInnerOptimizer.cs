using MlacRelease.Common.Errors;

using static TorchSharp.torch;

namespace MlacRelease.Training.Inner;

/// <summary>
/// An optimiser written as a function of tensors, so its updates stay in the autograd graph: the outer MLAC gradient
/// flows through every simulated attacker step. One instance holds the state of one rollout.
/// </summary>
public interface IInnerOptimizer
{
    /// <summary>New parameters θ' = update(θ, g, lr). A null gradient leaves that parameter, and its state, as it is
    /// (head-only steps).</summary>
    IReadOnlyList<Tensor> Step(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients, Tensor learningRate);

    /// <summary>The tensors the optimiser's state holds now (moments, velocities): a first-order rollout that frees
    /// each step's tensors as it goes must keep these.</summary>
    IEnumerable<Tensor> StateTensors { get; }

    /// <summary>The state by name (per parameter index), for a checkpoint of an attacker carried across outer steps.</summary>
    IEnumerable<(string Name, Tensor Tensor)> SavedState();

    /// <summary>Replaces the state with one <see cref="SavedState"/> wrote; the optimiser takes ownership of the tensors.</summary>
    void LoadState(IReadOnlyDictionary<string, Tensor> saved);
}

/// <summary>The simulated attacker's optimiser. New members go last: the value is part of a checkpoint's fingerprint.</summary>
public enum InnerOptimizerKind
{
    Adam,
    /// <summary>Plain SGD, no momentum.</summary>
    Sgd,
    /// <summary>AdamW with weight decay <see cref="DifferentiableAdamW.DefaultWeightDecay"/>.</summary>
    AdamW,
    /// <summary>SGD with momentum <see cref="DifferentiableSgd.BatteryMomentum"/>, the battery's <c>sgd_momentum</c>.</summary>
    SgdMomentum,
}

public static class InnerOptimizers
{
    public static IInnerOptimizer Create(InnerOptimizerKind kind, bool textbookAdam = false) => kind switch
    {
        InnerOptimizerKind.Adam when textbookAdam => new TextbookAdam(),
        InnerOptimizerKind.Adam => new DifferentiableAdam(),
        InnerOptimizerKind.Sgd => new DifferentiableSgd(),
        InnerOptimizerKind.AdamW => new DifferentiableAdamW(),
        InnerOptimizerKind.SgdMomentum => new DifferentiableSgd(DifferentiableSgd.BatteryMomentum),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown inner optimiser"),
    };

    /// <summary>The loop every inner optimiser shares: <paramref name="update"/>(index, θ, g) for each parameter with a
    /// gradient; a null gradient leaves the parameter as it is (and the optimiser never sees it, so neither does its state).</summary>
    internal static IReadOnlyList<Tensor> UpdatePresent(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor?> gradients,
        Func<int, Tensor, Tensor, Tensor> update)
    {
        var updated = new Tensor[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            updated[i] = gradients[i] is { } g ? update(i, parameters[i], g) : parameters[i];
        }
        return updated;
    }

    /// <summary>Parameter index of a saved state name "kind.index"; a name of another kind or a bad index is refused.</summary>
    internal static int IndexOf(string name, string kind)
    {
        var dot = name.IndexOf('.');
        if (dot < 0 || name[..dot] != kind || !int.TryParse(name[(dot + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            throw new MlacInputException($"optimiser state '{name}': expected '{kind}.<parameter index>'");
        return index;
    }

    /// <summary>Adam's per-parameter state (first and second moments, step count) as named tensors, and back: one format
    /// for both Adam implementations.</summary>
    internal static IEnumerable<(string Name, Tensor Tensor)> SaveAdam(IReadOnlyDictionary<int, (Tensor M, Tensor V, int Steps)> state) =>
        state.OrderBy(kv => kv.Key).SelectMany(kv => new[]
        {
            ($"m.{kv.Key}", kv.Value.M), ($"v.{kv.Key}", kv.Value.V), ($"t.{kv.Key}", tensor((long)kv.Value.Steps)),
        });

    internal static void LoadAdam(IReadOnlyDictionary<string, Tensor> saved, Dictionary<int, (Tensor M, Tensor V, int Steps)> state)
    {
        state.Clear();
        foreach (var (name, m) in saved.Where(kv => kv.Key.StartsWith("m.", StringComparison.Ordinal)))
        {
            var i = IndexOf(name, "m");
            if (!saved.TryGetValue($"v.{i}", out var v) || !saved.TryGetValue($"t.{i}", out var t))
                throw new MlacInputException($"optimiser state: 'v.{i}' or 't.{i}' missing beside '{name}'");
            var steps = t.item<long>();
            if (steps is < 1 or > int.MaxValue) throw new MlacInputException($"optimiser state 't.{i}': expected a step count ≥ 1, got {steps}");
            state[i] = (m, v, (int)steps);
        }
        if (saved.Count != 3 * state.Count) throw new MlacInputException($"optimiser state: {saved.Count} tensors do not form {state.Count} Adam states");
    }

    // sqrt has an infinite derivative at 0, and a parameter whose gradient is exactly zero (a key bias, an unused
    // embedding row) has v = 0: its second-order term would be 0·∞ = NaN. Clamping v below at a value whose square
    // root is far under ε changes the update by < 1e-12 relative and makes that derivative 0, as it should be.
    internal const double AdamVarianceFloor = 1e-30;
}
