using MlacRelease.Certification.Data;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Selection;

/// <summary>
/// The data checkpoint selection attacks with: the attacker-tune split alone, cut into an attacker-train, a tune and a
/// test part of its own. The test split that certification reports on is never touched, so picking the checkpoint
/// that validation attacks break least cannot overfit the certified numbers.
/// </summary>
public static class ValidationData
{
    /// <summary>Shares of the attacker-tune split: 40 % test, 16 % tune, the rest (44 %) attacker-train. At the
    /// built-in 10,000-example corpus (250 attacker-tune examples) that is 100 / 40 / 110, enough for n = 100.</summary>
    public const double TestShare = 0.40;
    public const double TuneShare = 0.16;

    /// <summary>Refuses, before any training, data whose attacker-tune split is too small for the battery.</summary>
    public static void CheckFits(DatasetSplits splits, Batteries.Battery battery)
    {
        ArgumentNullException.ThrowIfNull(splits);
        ArgumentNullException.ThrowIfNull(battery);
        var pool = splits.AttackerTune.Count;
        var train = pool - (int)Math.Floor(pool * TestShare) - (int)Math.Floor(pool * TuneShare);
        try
        {
            battery.CheckAgainst(train, splits.DefenderTrain.Count);
        }
        catch (Exception e) when (e is ArgumentException or MlacInputException)
        {
            throw new MlacInputException($"checkpoint selection: the attacker-tune split has {pool} examples, {train} of them for the validation " +
                                        $"attacker's training: {e.Message} (use more data or a validation battery with smaller data sizes)", e);
        }
    }

    public static CertificationData FromSplits(DatasetSplits splits, BertTextTokenizer tokenizer, int maxLength, int desiredExamples)
    {
        ArgumentNullException.ThrowIfNull(splits);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var pool = splits.AttackerTune;
        var testCount = (int)Math.Floor(pool.Count * TestShare);
        var tuneCount = (int)Math.Floor(pool.Count * TuneShare);
        if (testCount < 10 || tuneCount < 4 || pool.Count - testCount - tuneCount < 10)
            throw new MlacInputException($"the attacker-tune split has {pool.Count} examples: too few to validate checkpoints on (need at least 63)");

        // Stratified prefixes keep each part's harmful-label balance; the split order is already a seeded shuffle.
        var test = DatasetSplitter.TakeStratified(pool, testCount);
        var rest = pool.Except(test).ToList();
        var tune = DatasetSplitter.TakeStratified(rest, tuneCount);
        var train = rest.Except(tune).ToList();

        var dataset = splits.Source;
        IReadOnlyList<EncodedExample> Encode(IEnumerable<Example> examples) => ExampleEncoder.Encode(examples, dataset, tokenizer, maxLength);
        return new CertificationData(Encode(train), Encode(tune), Encode(test), Encode(splits.DefenderTrain.Take(desiredExamples)),
            dataset.HarmfulLabels, dataset.DesiredLabels, dataset.Digest + "#attacker-tune", splits.Seed, maxLength)
        {
            TokenizerDigest = tokenizer.Digest,
        };
    }
}
