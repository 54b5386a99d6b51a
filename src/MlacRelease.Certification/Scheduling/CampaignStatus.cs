namespace MlacRelease.Certification.Scheduling;

/// <summary>Where a shard stands: finished (its manifest is written), queued or running under Slurm, or failed.</summary>
public enum ShardState
{
    Finished,
    Pending,
    Running,

    /// <summary>Not finished and no longer known to Slurm: it failed, was cancelled, or timed out.</summary>
    Failed,
}

public sealed record ShardStatus(int Shard, int ShardCount, ShardState State, string Log)
{
    public string Name => $"{Shard}/{ShardCount}";
}

/// <summary>A snapshot of a campaign: every shard's state, the merge job's and whether the certificate is there.</summary>
public sealed record CampaignStatus(IReadOnlyList<ShardStatus> Shards, string? MergeState, bool CertificateWritten)
{
    public int Finished => Shards.Count(s => s.State == ShardState.Finished);

    public IReadOnlyList<ShardStatus> Failed => Shards.Where(s => s.State == ShardState.Failed).ToList();

    /// <summary>Some job of the campaign is still pending or running.</summary>
    public bool Active => MergeState is not null || Shards.Any(s => s.State is ShardState.Pending or ShardState.Running);

    public bool Complete => CertificateWritten && Finished == Shards.Count;

    public static CampaignStatus Observe(ShardCampaign campaign, IReadOnlyList<SlurmJobState> queue)
    {
        var latest = campaign.LatestSubmission;
        var tasks = queue.Where(q => latest?.ArrayJob is { } job && q.JobId == job && q.ArrayIndex is not null)
            .GroupBy(q => q.ArrayIndex!.Value).ToDictionary(g => g.Key, g => g.First().State);
        var arrayPendingLines = queue.Any(q => latest?.ArrayJob is { } job && q.JobId == job && q.ArrayIndex is null);
        var shards = Enumerable.Range(1, campaign.ShardCount).Select(i =>
        {
            ShardState state;
            if (campaign.IsShardFinished(i)) state = ShardState.Finished;
            else if (tasks.TryGetValue(i, out var s)) state = s is "RUNNING" or "COMPLETING" ? ShardState.Running : ShardState.Pending;
            else if (arrayPendingLines && latest!.Shards.Contains(i)) state = ShardState.Pending;
            else state = ShardState.Failed;
            return new ShardStatus(i, campaign.ShardCount, state, campaign.ShardLog(i));
        }).ToList();
        var merge = queue.FirstOrDefault(q => q.JobId == latest?.MergeJob);
        return new CampaignStatus(shards, merge is null ? null : $"{merge.State} ({merge.Reason})", File.Exists(campaign.CertificatePath));
    }

    /// <summary>The last non-empty line of a log, to say in one line why a shard failed.</summary>
    public static string LastLogLine(string path)
    {
        if (!File.Exists(path)) return "(no log)";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var start = Math.Max(0, stream.Length - 4096);
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var tail = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return tail.Length == 0 ? "(empty log)" : tail[^1];
    }
}
