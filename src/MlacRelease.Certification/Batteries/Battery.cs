using System.Text.Json.Serialization;
using MlacRelease.Certification.Certificates;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Batteries;

/// <summary>
/// An attack battery: what a certification runs against the model and, identically, against the pretrained encoder
/// and its random-init twin. Its digest (over the canonical JSON of its content, not the file's bytes, so comments
/// and layout do not matter) goes into the certificate.
/// </summary>
public sealed record Battery
{
    public const string Schema = "mlac.battery/v1";

    public required string Name { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Seeds the search (sampled configurations, search runs' data draw) and the random-init twin.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Token limit per example ([CLS] and [SEP] included).</summary>
    public required int MaxLength { get; init; }

    public required EvaluationSettings Evaluation { get; init; }

    public required IReadOnlyList<AttackerDataSize> DataSizes { get; init; }

    /// <summary>Seeds of the reruns of each best configuration (the spread reported over seeds).</summary>
    public required IReadOnlyList<ulong> Seeds { get; init; }

    public required SearchSettings Search { get; init; }

    public required MetricSettings Metrics { get; init; }

    public required RetentionSettings Retention { get; init; }

    public required IReadOnlyList<AttackSpace> Attacks { get; init; }

    /// <summary>Where each data size was written (same order), for errors found only against a dataset.</summary>
    [JsonIgnore]
    public IReadOnlyList<SourceLocation> DataSizeLocations { get; init; } = [];

    [JsonIgnore]
    public string Digest => CanonicalJson.Digest(this);

    /// <summary>Refuses sizes that the attacker split cannot supply, pointing at the line that asked for them.</summary>
    public void CheckAgainst(int attackerTrainCount, int desiredTrainCount)
    {
        for (var i = 0; i < DataSizes.Count; i++)
        {
            if (DataSizes[i].Count is { } n && n > attackerTrainCount)
            {
                var where = i < DataSizeLocations.Count ? DataSizeLocations[i] : SourceLocation.None with { Field = $"data_sizes[{i}]" };
                throw where.Error($"n = {n} is larger than the attacker's training split ({attackerTrainCount} examples)");
            }
        }
        var desiredNeeded = DesiredExamplesNeeded;
        if (desiredNeeded > desiredTrainCount)
            throw new MlacInputException($"battery '{Name}' needs {desiredNeeded} desired-task examples, the data has {desiredTrainCount}");
    }

    /// <summary>The number of desired-task examples the battery uses (benign phases and retention).</summary>
    [JsonIgnore]
    public int DesiredExamplesNeeded => Math.Max(Retention.TrainExamples, Attacks.Select(a => a.Benign?.Examples ?? 0).DefaultIfEmpty(0).Max());
}
