using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;
using static TorchSharp.torch;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// A certification prepared to run: the checked inputs, the random-init twin, the three targets on the device with
/// the compact vocabulary, the shared evaluation sets, the work units and the context whose digest is the identity.
/// </summary>
internal sealed class CertificationSession : IDisposable
{
    private readonly TargetEncoder[] _targets;

    private CertificationSession(CertificationRequest request, CertificationContext context, AttackContext attackContext, TargetEncoder[] targets,
        IReadOnlyList<WorkUnit> units)
    {
        Cache = request.BaselineCache is { } folder ? new BaselineCache(folder) : null;
        BaselineKeys = new[] { TargetRole.Pretrained, TargetRole.RandomInit }.ToDictionary(r => r, r =>
        {
            var inputs = BaselineKeyInputs.Of(context, r, AttackCodeVersion.Current);
            return (inputs, inputs.Key());
        });
        Request = request;
        Context = context;
        Identity = context.Identity();
        AttackContext = attackContext;
        Runner = new AttackRunner(attackContext);
        _targets = targets;
        Units = units;
    }

    public CertificationRequest Request { get; }

    public Battery Battery => Request.Battery;

    public CertificationContext Context { get; }

    public string Identity { get; }

    public AttackContext AttackContext { get; }

    public AttackRunner Runner { get; }

    public IReadOnlyList<WorkUnit> Units { get; }

    public TargetEncoder Target(TargetRole role) => _targets[(int)role];

    /// <summary>Where reference-arm units are looked up and stored; null without a cache.</summary>
    public BaselineCache? Cache { get; }

    /// <summary>The cache key (and what it is a digest of) of each reference arm.</summary>
    public IReadOnlyDictionary<TargetRole, (BaselineKeyInputs Inputs, string Key)> BaselineKeys { get; }

    /// <summary>Puts into <paramref name="store"/> every reference-arm unit of <paramref name="units"/> that the cache
    /// holds and the store does not; returns the ids of those units.</summary>
    public IReadOnlySet<string> FillFromCache(ResultStore store, IReadOnlyList<WorkUnit> units)
    {
        var filled = new HashSet<string>(StringComparer.Ordinal);
        if (Cache is null) return filled;
        foreach (var unit in units.Where(u => u.Target != TargetRole.Model && !store.HasUnit(u)))
        {
            var (inputs, key) = BaselineKeys[unit.Target];
            if (Cache.TryLoad(inputs, key, unit, Identity) is not { } cached) continue;
            store.SaveUnit(cached, unit);
            filled.Add(unit.Id);
        }
        return filled;
    }

    /// <summary>Stores a freshly computed reference-arm unit in the cache (model units never go there).</summary>
    public void Remember(WorkUnit unit, StoredUnit result)
    {
        if (Cache is null || unit.Target == TargetRole.Model) return;
        var (inputs, key) = BaselineKeys[unit.Target];
        Cache.Save(inputs, key, unit, result);
    }

    /// <summary>The seed of the random-init twin, derived from the battery seed.</summary>
    public static ulong RandomInitSeed(Battery battery) => DeterministicRandom.DeriveSeed(battery.Seed, "random-init") >> 1;

    public static CertificationSession Create(CertificationRequest request)
    {
        var battery = request.Battery;
        var data = request.Data;
        if (request.Workers < 1) throw new MlacInputException("workers must be at least 1");
        if (request.ThreadsPerWorker < 1) throw new MlacInputException("threads per worker must be at least 1");
        if (request.Pretrained.Config != request.Model.Config)
            throw new MlacInputException($"the model and the pretrained encoder differ in configuration ({request.Model.Config} vs {request.Pretrained.Config})");
        if (data.MaxLength != 0 && data.MaxLength != battery.MaxLength)
            throw new MlacInputException($"the data was tokenized with max length {data.MaxLength}, the battery asks for {battery.MaxLength}");
        battery.CheckAgainst(data.AttackerTrain.Count, data.DesiredTrain.Count);

        var device = request.Device ?? CPU;
        var tune = StratifiedTake.Take(data.AttackerTune, battery.Evaluation.TuneExamples);
        var test = StratifiedTake.Take(data.Test, battery.Evaluation.TestExamples);
        var desired = data.DesiredTrain.Take(battery.DesiredExamplesNeeded).ToList();
        var vocabulary = CompactVocabulary.Build([data.AttackerTrain, tune, test, desired], request.Model.Config.PadTokenId);

        var randomSeed = RandomInitSeed(battery);
        using var twin = EncoderWeights.RandomInit(request.Model.Config, (long)randomSeed);
        var digests = new[] { request.Model.Digest(), request.Pretrained.Digest(), twin.Digest() };
        var targets = new[]
        {
            TargetEncoder.Create(TargetRole.Model, request.Model, digests[0], vocabulary, device),
            TargetEncoder.Create(TargetRole.Pretrained, request.Pretrained, digests[1], vocabulary, device),
            TargetEncoder.Create(TargetRole.RandomInit, twin, digests[2], vocabulary, device),
        };
        var attackContext = new AttackContext(vocabulary.Map(data.AttackerTrain), vocabulary.Map(tune), vocabulary.Map(test), vocabulary.Map(desired),
            data.HarmfulClasses, data.DesiredClasses, vocabulary.PadId, battery.Evaluation.Every, device);

        var context = new CertificationContext(
            ToolInfo.Current,
            EncoderDescription.Of(request.Model.Config, digests[0], request.ModelFileDigest) with { HeadDigest = request.HeadDigest },
            new ReferenceEncoders(digests[1], digests[2], randomSeed),
            new DataDescription(data.DatasetDigest, data.EncodedDigest, data.SplitSeed, battery.MaxLength, data.HarmfulLabels, data.DesiredLabels,
                data.AttackerTrain.Count, tune.Count, test.Count, desired.Count)
            {
                SplitFractions = data.SplitFractions is { } fractions ? SplitDescription.Of(fractions) : null,
                TokenizerDigest = data.TokenizerDigest,
            },
            new BatteryDescription(battery.Name, battery.Digest, BatteryPresets.MatchingPreset(battery), battery),
            request.Policy,
            new NumericsDescription(device.type.ToString().ToLowerInvariant(), request.ThreadsPerWorker));
        var units = UnitPlanner.Plan(battery, DataShape.Of(attackContext));
        return new CertificationSession(request, context, attackContext, targets, units);
    }

    public void Dispose()
    {
        foreach (var t in _targets) t.Dispose();
        AttackContext.Dispose();
    }
}
