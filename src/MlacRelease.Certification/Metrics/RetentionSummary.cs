namespace MlacRelease.Certification.Metrics;

/// <summary>
/// Desired-task accuracy of the model, the pretrained encoder and the random-init twin, by probe and by fine-tuning,
/// and the model's retention (its accuracy over the pretrained encoder's; the smaller of the two is what the policy
/// checks).
/// </summary>
public sealed record RetentionSummary(
    double ModelProbe,
    double PretrainedProbe,
    double RandomInitProbe,
    double ModelFineTune,
    double PretrainedFineTune,
    double RandomInitFineTune,
    double ProbeRetention,
    double FineTuneRetention,
    double Retention);
