using MlacRelease.Certification.Certificates;
using MlacRelease.Common.Errors;
using MlacRelease.Common.IO;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Content-addressed results of the reference arms: &lt;folder&gt;/&lt;key hex&gt;/&lt;unit&gt;.json, the key being the digest
/// of <see cref="BaselineKeyInputs"/>. The pretrained encoder and the random-init twin are attacked identically for
/// every model certified on the same battery and data, two runs in three, so a second model pays only for its own.
/// Entries are written atomically (concurrent shards writing the same entry write the same bytes) and read as
/// untrusted input: bounded in size, canonical, strictly typed, and checked to be the unit and key asked for.
/// A bad entry stops the certification with its path rather than being used or silently recomputed.
/// </summary>
public sealed class BaselineCache(string folder)
{
    /// <summary>A unit's result is well under a megabyte even for the standard battery; a larger file is not an entry.</summary>
    public const long MaxEntryBytes = 32L * 1024 * 1024;

    public const string KeyFileName = "key.json";

    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>$XDG_CACHE_HOME/mlac/baselines, else ~/.cache/mlac/baselines.</summary>
    public static string DefaultFolder()
    {
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root)) root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "mlac", "baselines");
    }

    public string EntryPath(string key, WorkUnit unit) => Path.Combine(Folder, Hex(key), unit.Slug + ".json");

    public StoredUnit? TryLoad(BaselineKeyInputs inputs, string key, WorkUnit unit, string identity)
    {
        var path = EntryPath(key, unit);
        var file = new FileInfo(path);
        if (!file.Exists) return null;
        if (file.Length > MaxEntryBytes) throw Bad(path, "(file)", $"at most {MaxEntryBytes} bytes", $"{file.Length} bytes");
        var bytes = File.ReadAllBytes(path);
        var entry = CanonicalJson.Deserialize<CachedBaselineUnit>(bytes, path + " (baseline cache entry; delete it to recompute)");
        if (!CanonicalJson.Serialize(entry).AsSpan().SequenceEqual(bytes)) throw Bad(path, "(file)", "the canonical form the cache writes", "other bytes");
        if (entry.Schema != CachedBaselineUnit.CurrentSchema) throw Bad(path, "schema", CachedBaselineUnit.CurrentSchema, entry.Schema);
        if (entry.Key != key) throw Bad(path, "key", key, entry.Key);
        if (entry.Unit != unit.Id) throw Bad(path, "unit", unit.Id, entry.Unit);
        if (unit.Kind == UnitKind.Retention)
        {
            if (entry.Attack is not null || entry.Retention is null) throw Bad(path, "retention", "a retention result and no attack", "otherwise");
            if (entry.Retention.Target != unit.Target) throw Bad(path, "retention.target", unit.Target.ToString(), entry.Retention.Target.ToString());
        }
        else
        {
            var attack = entry.Attack ?? throw Bad(path, "attack", "an attack result", "null");
            if (entry.Retention is not null) throw Bad(path, "retention", "null for an attack unit", "a retention result");
            if (attack.Target != unit.Target) throw Bad(path, "attack.target", unit.Target.ToString(), attack.Target.ToString());
            if (attack.Attack != unit.Attack!.Name) throw Bad(path, "attack.attack", unit.Attack.Name, attack.Attack);
            if (attack.Family != unit.Attack.Family) throw Bad(path, "attack.family", unit.Attack.Family.ToString(), attack.Family.ToString());
            if (!CanonicalJson.Serialize(attack.DataSize).AsSpan().SequenceEqual(CanonicalJson.Serialize(unit.DataSize)))
                throw Bad(path, "attack.data_size", unit.DataSize!.Label, attack.DataSize.Label);
            if (attack.BestTrial < 0 || attack.BestTrial >= attack.Trials.Count)
                throw Bad(path, "attack.best_trial", $"0..{attack.Trials.Count - 1}", attack.BestTrial.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (attack.ScoringProblem() is { } problem) throw Bad(path, "attack", "unscored search runs and scored seed reruns", problem);
        }
        // The key file is what a person or a verifier reads to see what the entry is for; it must say the same.
        var keyPath = Path.Combine(Folder, Hex(key), KeyFileName);
        if (File.Exists(keyPath) && new FileInfo(keyPath).Length <= MaxEntryBytes
            && !File.ReadAllBytes(keyPath).AsSpan().SequenceEqual(CanonicalJson.Serialize(inputs)))
            throw Bad(keyPath, "(file)", "the key inputs whose digest names this folder", "other inputs");
        return new StoredUnit(identity, unit.Id, entry.Attack, entry.Retention) { BaselineCacheKey = key };
    }

    public void Save(BaselineKeyInputs inputs, string key, WorkUnit unit, StoredUnit result)
    {
        var keyPath = Path.Combine(Folder, Hex(key), KeyFileName);
        if (!File.Exists(keyPath)) AtomicFile.WriteAllBytes(keyPath, CanonicalJson.Serialize(inputs));
        AtomicFile.WriteAllBytes(EntryPath(key, unit),
            CanonicalJson.Serialize(new CachedBaselineUnit(CachedBaselineUnit.CurrentSchema, key, unit.Id, result.Attack, result.Retention)));
    }

    private static string Hex(string key)
    {
        const string Prefix = "sha256:";
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length != Prefix.Length + 64)
            throw new ArgumentException($"baseline key '{key}' is not a sha256 digest", nameof(key));
        return key[Prefix.Length..];
    }

    private static MlacInputException Bad(string path, string field, string expected, string found) =>
        new($"{path}: field '{field}': expected {expected}, found {found}. The baseline cache entry is not usable; delete it to recompute it");
}
