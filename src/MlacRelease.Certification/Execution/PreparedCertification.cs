using MlacRelease.Core.Data;
using MlacRelease.Core.Model;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Loaded inputs of a certification: the model and its pretrained reference (owned, disposed with this), the
/// tokenized data split as the model's training split it, and what to tell the user about them.
/// </summary>
public sealed class PreparedCertification(EncoderWeights model, string modelDescription, string? modelFileDigest, EncoderWeights pretrained,
    string pretrainedDescription, Data.CertificationData data, SplitRecord? recordedSplit, IReadOnlyList<string> notes) : IDisposable
{
    public EncoderWeights Model { get; } = model;

    public string ModelDescription { get; } = modelDescription;

    public EncoderWeights Pretrained { get; } = pretrained;

    public string PretrainedDescription { get; } = pretrainedDescription;

    public Data.CertificationData Data { get; } = data;

    /// <summary>The split the model folder records (split.json), which <see cref="Data"/> follows; null when it records none.</summary>
    public SplitRecord? RecordedSplit { get; } = recordedSplit;

    /// <summary>Things worth saying before the run (a reference of another configuration, a model with no recorded split).</summary>
    public IReadOnlyList<string> Notes { get; } = notes;

    /// <summary>The digest of the classifier head the model is to be released with (<see cref="Core.Model.HeadDigest"/>).</summary>
    public string HeadDigest { get; init; } = Core.Model.HeadDigest.None;

    /// <summary>A request over these inputs; set workers, policy, cache and the rest with <c>with</c>.</summary>
    public CertificationRequest Request(Batteries.Battery battery, string outputDirectory) => new()
    {
        Model = Model, Pretrained = Pretrained, Data = Data, Battery = battery, OutputDirectory = outputDirectory, ModelFileDigest = modelFileDigest,
        HeadDigest = HeadDigest,
    };

    public void Dispose()
    {
        Model.Dispose();
        Pretrained.Dispose();
    }
}
