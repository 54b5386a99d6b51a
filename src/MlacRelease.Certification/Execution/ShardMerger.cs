using MlacRelease.Certification.Certificates;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Joins shard folders into the certificate a single run gives, byte for byte: it checks that the shards belong to
/// one certification (same identity and shard count), that every shard 1..N finished (else it names the missing
/// ones), and that together they hold every unit of the plan; then it assembles exactly as a whole run does.
/// </summary>
public static class ShardMerger
{
    public static Certificate MergeShards(IEnumerable<string> shardFolders)
    {
        var manifests = new List<(string Folder, ShardManifest Manifest)>();
        var unfinished = new List<string>();
        foreach (var folder in shardFolders.Select(Path.GetFullPath).Distinct())
        {
            var path = Path.Combine(folder, ShardManifest.FileName);
            if (!File.Exists(path))
            {
                unfinished.Add(folder);
                continue;
            }
            var manifest = CanonicalJson.Deserialize<ShardManifest>(File.ReadAllBytes(path), path);
            if (manifest.Schema != ShardManifest.CurrentSchema) throw new MlacInputException($"{path}: unsupported schema '{manifest.Schema}'");
            manifests.Add((folder, manifest));
        }
        if (manifests.Count == 0)
            throw new MlacInputException($"no finished shard among {string.Join(", ", shardFolders)} (none holds {ShardManifest.FileName})");

        var first = manifests[0].Manifest;
        foreach (var (folder, m) in manifests)
        {
            if (m.Identity != first.Identity)
                throw new MlacInputException($"{folder}: shard of another certification (identity {m.Identity}, expected {first.Identity})");
            if (m.ShardCount != first.ShardCount)
                throw new MlacInputException($"{folder}: shard {m.Shard}/{m.ShardCount} does not belong to a {first.ShardCount}-way split");
        }
        var present = manifests.Select(m => m.Manifest.Shard).ToHashSet();
        var missing = Enumerable.Range(1, first.ShardCount).Where(i => !present.Contains(i)).Select(i => $"{i}/{first.ShardCount}").ToList();
        if (missing.Count > 0) throw new IncompleteShardSetException(missing, first.ShardCount);

        var context = first.Context;
        if (context.Identity() != first.Identity) throw new MlacInputException("a shard manifest's context does not match its identity");
        var plan = UnitPlanner.Plan(context.Battery.Content, new DataShape(context.Data.AttackerTrainExamples, context.Data.TuneExamples, context.Data.TestExamples, 1));
        var results = new Dictionary<string, StoredUnit>(StringComparer.Ordinal);
        foreach (var (folder, manifest) in manifests)
        {
            var store = new ResultStore(folder, first.Identity);
            foreach (var id in manifest.Units)
            {
                var unit = plan.FirstOrDefault(u => u.Id == id) ?? throw new MlacInputException($"{folder}: unit '{id}' is not in the plan");
                var stored = store.TryLoadUnit(unit) ?? throw new MlacInputException($"{folder}: the manifest lists '{id}' but its result is missing");
                if (!results.TryAdd(id, stored)
                    && !CanonicalJson.Serialize(results[id]).AsSpan().SequenceEqual(CanonicalJson.Serialize(stored)))
                    throw new MlacInputException($"{folder}: unit '{id}' differs from the same unit in another shard");
            }
        }
        return CertificateAssembler.Assemble(context, plan, results);
    }

    /// <summary>Merges and writes certificate.json (and the report) into <paramref name="outputDirectory"/>.</summary>
    public static CertificationResult MergeInto(IEnumerable<string> shardFolders, string outputDirectory, bool writeReport = true)
    {
        var certificate = MergeShards(shardFolders);
        return Certifier.Write(certificate, outputDirectory, writeReport, 0, 0, TimeSpan.Zero);
    }
}
