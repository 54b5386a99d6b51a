using System.Globalization;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Execution;
using MlacRelease.Common.IO;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Scheduling;

/// <summary>
/// A sharded certification laid out in one shared folder: shards/shard-i (each an <c>mlac certify --shard i/N</c>
/// output), the merged certificate.json and report/ at the top, and the scheduler's scripts, logs and record in
/// slurm/. The record (slurm/campaign.json) pins the shard count and the certify arguments, so a resubmission
/// cannot mix shards of two different certifications.
/// </summary>
public sealed class ShardCampaign
{
    public const string CurrentSchema = "mlac.slurm-campaign/v1";

    public ShardCampaign(string root, CampaignRecord record)
    {
        Root = Path.GetFullPath(root);
        Record = record;
    }

    public string Root { get; }

    public CampaignRecord Record { get; private set; }

    public int ShardCount => Record.ShardCount;

    /// <summary>The most recent sbatch round, whose jobs status and waiting look at; null before the first.</summary>
    public CampaignSubmission? LatestSubmission => Record.Submissions.Count > 0 ? Record.Submissions[^1] : null;

    public string SchedulerFolder => Path.Combine(Root, "slurm");

    public string LogFolder => Path.Combine(SchedulerFolder, "logs");

    public string RecordPath => RecordPathOf(Root);

    public string ArrayScriptPath => Path.Combine(SchedulerFolder, "certify-array.sbatch");

    public string MergeScriptPath => Path.Combine(SchedulerFolder, "merge.sbatch");

    public string CertificatePath => Path.Combine(Root, Execution.Certifier.CertificateFileName);

    public string ShardsFolder => Path.Combine(Root, "shards");

    public string ShardFolder(int shard) => Path.Combine(ShardsFolder, "shard-" + shard.ToString(CultureInfo.InvariantCulture));

    public IEnumerable<string> ShardFolders => Enumerable.Range(1, ShardCount).Select(ShardFolder);

    /// <summary>Slurm writes each task's output here (the script's --output pattern uses %a for the shard).</summary>
    public string ShardLog(int shard) => Path.Combine(LogFolder, "shard-" + shard.ToString(CultureInfo.InvariantCulture) + ".log");

    public string MergeLog => Path.Combine(LogFolder, "merge.log");

    /// <summary>True when shard i has written its manifest: the one sign that every unit in it finished.</summary>
    public bool IsShardFinished(int shard) => File.Exists(Path.Combine(ShardFolder(shard), ShardManifest.FileName));

    public IReadOnlyList<int> UnfinishedShards() => Enumerable.Range(1, ShardCount).Where(i => !IsShardFinished(i)).ToList();

    public static string RecordPathOf(string root) => Path.Combine(Path.GetFullPath(root), "slurm", "campaign.json");

    /// <summary>The campaign already in <paramref name="root"/>, or null when there is none yet.</summary>
    public static ShardCampaign? TryOpen(string root)
    {
        var path = RecordPathOf(root);
        if (!File.Exists(path)) return null;
        var info = new FileInfo(path);
        if (info.Length > 16 << 20) throw new MlacInputException($"{path}: {info.Length} bytes is too large for a campaign record");
        // Strict, like every other record the certifier writes: unknown or missing members and misplaced nulls are errors.
        var record = CanonicalJson.Deserialize<CampaignRecord>(File.ReadAllBytes(path), path);
        if (record.Schema != CurrentSchema) throw new MlacInputException($"{path}: expected schema {CurrentSchema}, got '{record.Schema}'");
        if (record.ShardCount < 1 || record.MlacCommand.Count == 0)
            throw new MlacInputException($"{path}: a campaign needs shard_count ≥ 1 and a non-empty mlac_command");
        return new ShardCampaign(root, record);
    }

    /// <summary>Opens the campaign in <paramref name="root"/> or starts one; refuses a folder holding a different one.</summary>
    public static ShardCampaign OpenOrCreate(string root, int shardCount, IReadOnlyList<string> certifyArguments, IReadOnlyList<string> mlacCommand,
        string workingDirectory)
    {
        if (shardCount < 1) throw new MlacInputException($"--shards must be at least 1, got {shardCount}");
        var existing = TryOpen(root);
        if (existing is null)
            return new ShardCampaign(root, new CampaignRecord(CurrentSchema, shardCount, [.. certifyArguments], [.. mlacCommand], workingDirectory, []));
        if (existing.ShardCount != shardCount)
            throw new RunFolderMismatchException($"{existing.RecordPath}: this folder holds a {existing.ShardCount}-shard campaign, not {shardCount}; use the same --shards or a fresh --out");
        if (!existing.Record.CertifyArguments.SequenceEqual(certifyArguments))
            throw new RunFolderMismatchException($"{existing.RecordPath}: this folder holds a campaign with other certify arguments " +
                                                 $"({ShellQuoting.Join(existing.Record.CertifyArguments)}); use the same arguments to resume it or a fresh --out");
        // The tool's location may change between submissions (a new install); the latest one runs the resubmitted shards.
        existing.Record = existing.Record with { MlacCommand = [.. mlacCommand], WorkingDirectory = workingDirectory };
        return existing;
    }

    public void AddSubmission(CampaignSubmission submission) => Record = Record with { Submissions = [.. Record.Submissions, submission] };

    public void Save()
    {
        Directory.CreateDirectory(SchedulerFolder);
        AtomicFile.WriteAllBytes(RecordPath, CanonicalJson.Serialize(Record));
    }
}

/// <summary>What slurm/campaign.json holds.</summary>
public sealed record CampaignRecord(string Schema, int ShardCount, IReadOnlyList<string> CertifyArguments, IReadOnlyList<string> MlacCommand,
    string WorkingDirectory, IReadOnlyList<CampaignSubmission> Submissions);

/// <summary>One sbatch round: the array job (null when every shard had already finished) and its dependent merge job.</summary>
public sealed record CampaignSubmission(DateTimeOffset Time, string? ArrayJob, IReadOnlyList<int> Shards, string MergeJob);
