using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Scheduling;

namespace MlacRelease.Certification.Tests;

/// <summary>
/// The submit, wait and resubmit loop of <c>mlac slurm submit --wait --retries N</c>, against a stand-in for Slurm
/// whose jobs finish at once: every shard but the ones told to fail writes its manifest, and the merge writes the
/// certificate when all shards are there.
/// </summary>
public sealed class SlurmRetryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Failed_shards_are_resubmitted_alone_until_the_campaign_completes()
    {
        var campaign = ShardCampaign.OpenOrCreate(_folder.File("retry"), 4, [], ["mlac"], "/work");
        var slurm = new InstantSlurm(campaign, failures: [[2, 4], [4]]);
        var observer = new RecordingObserver();

        var status = await new SlurmCampaignRunner(slurm).SubmitAndWaitAsync(campaign, new SlurmResources(), retries: 2, TimeSpan.FromMilliseconds(1), observer, CancellationToken.None);

        status.Complete.Should().BeTrue();
        campaign.Record.Submissions.Select(s => s.Shards).Should().BeEquivalentTo(new[] { new[] { 1, 2, 3, 4 }, [2, 4], [4] }, o => o.WithStrictOrdering());
        observer.Events.Should().Equal("submitted 1-4", "resubmitting 2/4,4/4 (1 of 2)", "submitted 2,4", "resubmitting 4/4 (2 of 2)", "submitted 4");
    }

    [Fact]
    public async Task The_loop_gives_up_after_the_last_retry_with_the_failed_shards()
    {
        var campaign = ShardCampaign.OpenOrCreate(_folder.File("give-up"), 3, [], ["mlac"], "/work");
        var slurm = new InstantSlurm(campaign, failures: [[3], [3], [3]]);
        var observer = new RecordingObserver();

        var status = await new SlurmCampaignRunner(slurm).SubmitAndWaitAsync(campaign, new SlurmResources(), retries: 1, TimeSpan.FromMilliseconds(1), observer, CancellationToken.None);

        status.Complete.Should().BeFalse();
        status.Failed.Select(s => s.Name).Should().Equal("3/3");
        campaign.Record.Submissions.Should().HaveCount(2, "one submission and one retry");
        observer.Events.Should().Equal("submitted 1-3", "resubmitting 3/3 (1 of 1)", "submitted 3");
    }

    [Fact]
    public async Task A_complete_campaign_submits_nothing()
    {
        var campaign = ShardCampaign.OpenOrCreate(_folder.File("done"), 2, [], ["mlac"], "/work");
        var slurm = new InstantSlurm(campaign, failures: []);
        await new SlurmCampaignRunner(slurm).SubmitAndWaitAsync(campaign, new SlurmResources(), retries: 0, TimeSpan.FromMilliseconds(1), new RecordingObserver(), CancellationToken.None);
        var observer = new RecordingObserver();

        var status = await new SlurmCampaignRunner(slurm).SubmitAndWaitAsync(campaign, new SlurmResources(), retries: 3, TimeSpan.FromMilliseconds(1), observer, CancellationToken.None);

        status.Complete.Should().BeTrue();
        observer.Events.Should().Equal("nothing to submit");
        campaign.Record.Submissions.Should().ContainSingle();
    }

    /// <summary>A Slurm whose jobs have run by the first squeue: submission n fails the shards in failures[n].</summary>
    private sealed class InstantSlurm(ShardCampaign campaign, int[][] failures) : ISlurmClient
    {
        private readonly List<IReadOnlyList<string>> _submitted = [];
        private int _ran;

        public string Submit(IReadOnlyList<string> sbatchArguments)
        {
            _submitted.Add(sbatchArguments);
            return (100 + _submitted.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public IReadOnlyList<SlurmJobState> Queue(IEnumerable<string> jobIds)
        {
            if (_ran < campaign.Record.Submissions.Count)
            {
                var submission = campaign.Record.Submissions[_ran];
                var failing = _ran < failures.Length ? failures[_ran] : [];
                foreach (var shard in submission.Shards.Except(failing))
                {
                    Directory.CreateDirectory(campaign.ShardFolder(shard));
                    File.WriteAllText(Path.Combine(campaign.ShardFolder(shard), ShardManifest.FileName), "{}");
                }
                if (campaign.UnfinishedShards().Count == 0) File.WriteAllText(campaign.CertificatePath, "{}");
                _ran++;
            }
            return [];
        }

        public void Cancel(string jobId) => throw new InvalidOperationException("nothing is left to cancel: every job has run");
    }

    private sealed class RecordingObserver : ICampaignObserver
    {
        public List<string> Events { get; } = [];

        public void NothingToSubmit() => Events.Add("nothing to submit");

        public void Submitted(CampaignSubmission submission) => Events.Add("submitted " + ArrayRanges.Format(submission.Shards));

        public void Resubmitting(CampaignStatus status, int retry, int retries) =>
            Events.Add($"resubmitting {string.Join(",", status.Failed.Select(s => s.Name))} ({retry} of {retries})");

        public void Report(CampaignStatus value) { }
    }
}
