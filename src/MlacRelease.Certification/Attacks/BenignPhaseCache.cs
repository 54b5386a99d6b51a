namespace MlacRelease.Certification.Attacks;

/// <summary>
/// The encoder after a benign phase, kept for the search runs of one unit (one target). Successive halving reruns a
/// surviving configuration from scratch at the next rung with the same seed, so its benign phase (up to 1,000 steps
/// of batch 16, whatever the rung's harmful budget) is the same computation again; restoring its weights gives the
/// numbers recomputing would. A first-rung trial with the same benign settings as an earlier one (a battery whose
/// benign space has one point) restores that trial's phase the same way. Holds one copy of the encoder per entry, on
/// the run's device (about 90 MB for the 6-layer MiniLM): <see cref="RetainOnly"/> keeps it to the configurations that
/// can still run, at most the next rung's count plus one (10 for `standard`).
/// </summary>
internal sealed class BenignPhaseCache : IDisposable
{
    private readonly Dictionary<(BenignPhase Phase, ulong Seed), ParameterSnapshot> _states = [];

    /// <summary>Benign phases restored instead of recomputed.</summary>
    public int Hits { get; private set; }

    /// <summary>Entries held now.</summary>
    public int Count => _states.Count;

    /// <summary>The most entries held at once.</summary>
    public int PeakCount { get; private set; }

    /// <summary>Copies the stored state of <paramref name="phase"/> at <paramref name="seed"/> into the encoder.</summary>
    public bool TryRestore(BenignPhase phase, ulong seed, FineTunedEncoder encoder)
    {
        if (!_states.TryGetValue((phase, seed), out var state)) return false;
        state.CopyTo(encoder.Trainable);
        Hits++;
        return true;
    }

    public void Store(BenignPhase phase, ulong seed, FineTunedEncoder encoder)
    {
        if (_states.Remove((phase, seed), out var old)) old.Dispose();
        // Not restorable: the encoder it is taken from is disposed when its run ends.
        _states[(phase, seed)] = new ParameterSnapshot(encoder.Trainable, restorable: false);
        PeakCount = Math.Max(PeakCount, _states.Count);
    }

    /// <summary>Drops every entry whose phase is not in <paramref name="phases"/>.</summary>
    public void RetainOnly(IEnumerable<BenignPhase> phases)
    {
        var keep = phases.ToHashSet();
        foreach (var key in _states.Keys.Where(k => !keep.Contains(k.Phase)).ToList())
        {
            _states.Remove(key, out var state);
            state!.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var state in _states.Values) state.Dispose();
        _states.Clear();
    }
}
