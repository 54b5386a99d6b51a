namespace MlacRelease.Certification.Scheduling;

/// <summary>
/// Submits a campaign's unfinished shards as one array job plus a dependent merge job, and watches them. Resubmission
/// is the same call: finished shards (manifest on disk) are never submitted again, so a rerun after a failure or a
/// pre-emption runs exactly the missing shards, and a rerun of a complete campaign submits nothing.
/// </summary>
public sealed class SlurmCampaignRunner(ISlurmClient client)
{
    /// <summary>Writes the scripts and submits what is missing; returns the submission, or null when nothing was missing.</summary>
    public CampaignSubmission? Submit(ShardCampaign campaign, SlurmResources resources)
    {
        var unfinished = campaign.UnfinishedShards();
        if (unfinished.Count == 0 && File.Exists(campaign.CertificatePath)) return null;
        WriteScripts(campaign, resources);
        string? arrayJob = null;
        if (unfinished.Count > 0) arrayJob = client.Submit(SlurmScripts.ArraySubmitArguments(campaign, unfinished, resources));
        string mergeJob;
        try
        {
            mergeJob = client.Submit(SlurmScripts.MergeSubmitArguments(campaign, arrayJob));
        }
        catch when (arrayJob is not null)
        {
            client.Cancel(arrayJob); // no array without the merge that completes it
            throw;
        }
        var submission = new CampaignSubmission(DateTimeOffset.UtcNow, arrayJob, unfinished, mergeJob);
        campaign.AddSubmission(submission);
        campaign.Save();
        return submission;
    }

    /// <summary>Writes slurm/campaign.json and both scripts (atomically), as submit does, without submitting.</summary>
    public static void WriteScripts(ShardCampaign campaign, SlurmResources resources)
    {
        Directory.CreateDirectory(campaign.LogFolder);
        Directory.CreateDirectory(campaign.ShardsFolder);
        Common.IO.AtomicFile.WriteAllText(campaign.ArrayScriptPath, SlurmScripts.ArrayScript(campaign, resources));
        Common.IO.AtomicFile.WriteAllText(campaign.MergeScriptPath, SlurmScripts.MergeScript(campaign, resources));
        campaign.Save();
    }

    public CampaignStatus Observe(ShardCampaign campaign)
    {
        var latest = campaign.LatestSubmission;
        var ids = latest is null ? [] : new[] { latest.ArrayJob, latest.MergeJob }.OfType<string>().ToList();
        return CampaignStatus.Observe(campaign, client.Queue(ids));
    }

    /// <summary>
    /// Polls until no job of the latest submission is left. A merge that can never start (a shard failed and this
    /// Slurm keeps the dependent job pending) is cancelled so the wait ends.
    /// </summary>
    public async Task<CampaignStatus> WaitAsync(ShardCampaign campaign, TimeSpan poll, IProgress<CampaignStatus>? progress, CancellationToken cancellation)
    {
        while (true)
        {
            var status = Observe(campaign);
            progress?.Report(status);
            if (!status.Active) return status;
            if (status.MergeState is { } merge && merge.Contains("DependencyNeverSatisfied", StringComparison.Ordinal)
                && status.Shards.All(s => s.State is ShardState.Finished or ShardState.Failed))
            {
                client.Cancel(campaign.LatestSubmission!.MergeJob);
            }
            await Task.Delay(poll, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Submits what is missing, waits for it, and resubmits the shards that failed up to <paramref name="retries"/>
    /// times. Returns the last status: complete, failed after the last retry, or ended without a certificate.
    /// </summary>
    public async Task<CampaignStatus> SubmitAndWaitAsync(ShardCampaign campaign, SlurmResources resources, int retries, TimeSpan poll,
        ICampaignObserver observer, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        for (var retry = 0; ; retry++)
        {
            var submission = Submit(campaign, resources);
            if (submission is null)
            {
                observer.NothingToSubmit();
                return Observe(campaign);
            }
            observer.Submitted(submission);
            var status = await WaitAsync(campaign, poll, observer, cancellation).ConfigureAwait(false);
            if (status.Complete || status.Failed.Count == 0 || retry >= retries) return status;
            observer.Resubmitting(status, retry + 1, retries);
        }
    }
}
