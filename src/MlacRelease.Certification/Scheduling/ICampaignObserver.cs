namespace MlacRelease.Certification.Scheduling;

/// <summary>What <see cref="SlurmCampaignRunner.SubmitAndWaitAsync"/> tells its caller while it runs: the polls (as
/// progress), each submission and each resubmission of failed shards.</summary>
public interface ICampaignObserver : IProgress<CampaignStatus>
{
    /// <summary>Every shard had finished and the certificate existed: nothing was submitted.</summary>
    void NothingToSubmit();

    void Submitted(CampaignSubmission submission);

    /// <summary>Shards failed (<paramref name="status"/>.Failed) and are submitted again, as retry <paramref name="retry"/> of <paramref name="retries"/>.</summary>
    void Resubmitting(CampaignStatus status, int retry, int retries);
}
