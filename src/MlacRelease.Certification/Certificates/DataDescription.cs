using System.Text.Json.Serialization;

namespace MlacRelease.Certification.Certificates;

/// <summary>The data the attacks used.</summary>
/// <param name="DatasetDigest">Content digest of the source dataset (mlac-dataset-v1).</param>
/// <param name="EncodedDigest">Digest of the token ids and labels of every split used.</param>
/// <param name="TuneExamples">Tuning-split examples the attacker scored on (after the battery's cap).</param>
/// <param name="TestExamples">Test-split examples the reported numbers come from (after the cap).</param>
public sealed record DataDescription(
    string DatasetDigest,
    string EncodedDigest,
    ulong SplitSeed,
    int MaxLength,
    IReadOnlyList<string> HarmfulLabels,
    IReadOnlyList<string> DesiredLabels,
    int AttackerTrainExamples,
    int TuneExamples,
    int TestExamples,
    int DesiredTrainExamples)
{
    /// <summary>The fractions the dataset was split with (null for data built in memory). Left out of the JSON when
    /// null, so certificates written before this field existed stay canonical and keep their identity.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SplitDescription? SplitFractions { get; init; }

    /// <summary>The vocabulary and normalisation the text was tokenized with (<c>TokenizerDigest</c> in Common): the
    /// gate requires a release's tokenizer to be this one, as the same weights compute something else on other ids.
    /// Null for data built in memory without one, and left out of the JSON then, like <see cref="SplitFractions"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TokenizerDigest { get; init; }
}
