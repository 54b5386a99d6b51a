using System.Collections.Concurrent;
using MlacRelease.Certification.Data;
using MlacRelease.Core.Evaluation;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Attacks;

/// <summary>
/// Pooled features of a target's frozen encoder, computed once per (target, split) and shared by every probe: the
/// probe never changes the encoder, so recomputing them per trial and seed would only repeat work.
/// </summary>
internal sealed class FeatureCache : IDisposable
{
    private readonly ConcurrentDictionary<(TargetRole, string), Lazy<Tensor>> _cache = new();

    public Tensor Get(TargetEncoder target, string split, IReadOnlyList<EncodedExample> examples) =>
        _cache.GetOrAdd((target.Role, split), _ => new Lazy<Tensor>(() =>
        {
            // Owned by the cache, not by whatever dispose scope the first caller happens to run in.
            var features = PooledFeatures.Compute(target.Config, target.Tensors, examples);
            features.DetachFromDisposeScope();
            return features;
        })).Value;

    public void Dispose()
    {
        foreach (var lazy in _cache.Values)
        {
            if (lazy.IsValueCreated) lazy.Value.Dispose();
        }
        _cache.Clear();
    }
}
