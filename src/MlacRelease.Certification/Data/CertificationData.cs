using System.Security.Cryptography;
using System.Text;
using MlacRelease.Common.Errors;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Text;

namespace MlacRelease.Certification.Data;

/// <summary>
/// The tokenized data a certification attacks with: the attacker's training, tuning and test splits (harmful labels
/// matter), and desired-task examples for benign pre-training and the retention checks. Token ids are the model's
/// vocabulary ids.
/// </summary>
public sealed class CertificationData
{
    public CertificationData(IReadOnlyList<EncodedExample> attackerTrain, IReadOnlyList<EncodedExample> attackerTune,
        IReadOnlyList<EncodedExample> test, IReadOnlyList<EncodedExample> desiredTrain,
        IReadOnlyList<string> harmfulLabels, IReadOnlyList<string> desiredLabels, string? datasetDigest = null, ulong splitSeed = 0, int maxLength = 0,
        SplitFractions? splitFractions = null)
    {
        if (attackerTrain.Count == 0 || attackerTune.Count == 0 || test.Count == 0 || desiredTrain.Count == 0)
            throw new MlacInputException("every split (attacker train, attacker tune, test, desired train) needs at least one example");
        if (harmfulLabels.Count < 2 || desiredLabels.Count < 2) throw new MlacInputException("both tasks need at least two labels");
        foreach (var e in attackerTrain.Concat(attackerTune).Concat(test).Concat(desiredTrain))
        {
            if (e.TokenIds.Length == 0) throw new ArgumentException("an example has no tokens");
            if (e.Harmful < 0 || e.Harmful >= harmfulLabels.Count) throw new ArgumentException($"harmful label {e.Harmful} out of range");
            if (e.Desired < 0 || e.Desired >= desiredLabels.Count) throw new ArgumentException($"desired label {e.Desired} out of range");
        }
        AttackerTrain = attackerTrain;
        AttackerTune = attackerTune;
        Test = test;
        DesiredTrain = desiredTrain;
        HarmfulLabels = harmfulLabels;
        DesiredLabels = desiredLabels;
        SplitSeed = splitSeed;
        SplitFractions = splitFractions;
        MaxLength = maxLength;
        EncodedDigest = ComputeDigest();
        DatasetDigest = datasetDigest ?? EncodedDigest;
    }

    public IReadOnlyList<EncodedExample> AttackerTrain { get; }

    public IReadOnlyList<EncodedExample> AttackerTune { get; }

    public IReadOnlyList<EncodedExample> Test { get; }

    /// <summary>Desired-task examples (the defender's split): harmless data an attacker could also obtain.</summary>
    public IReadOnlyList<EncodedExample> DesiredTrain { get; }

    public IReadOnlyList<string> HarmfulLabels { get; }

    public IReadOnlyList<string> DesiredLabels { get; }

    public int HarmfulClasses => HarmfulLabels.Count;

    public int DesiredClasses => DesiredLabels.Count;

    /// <summary>The source dataset's content digest (or <see cref="EncodedDigest"/> for data built in memory).</summary>
    public string DatasetDigest { get; }

    /// <summary>SHA-256 over the token ids and labels of every split, in order: pins exactly what was attacked.</summary>
    public string EncodedDigest { get; }

    public ulong SplitSeed { get; }

    /// <summary>The fractions the dataset was split with; null for data built in memory (no split).</summary>
    public SplitFractions? SplitFractions { get; }

    public int MaxLength { get; }

    /// <summary>The tokenizer the text was cut with (<see cref="BertTextTokenizer.Digest"/>); null for data built in
    /// memory, unless its maker sets it.</summary>
    public string? TokenizerDigest { get; init; }

    /// <summary>
    /// Splits a dataset (the paper's 85 / 2.5 / 2.5 / 10) and tokenizes what a certification uses: the three attacker
    /// splits whole, and the first <paramref name="desiredExamples"/> examples of the defender split.
    /// </summary>
    public static CertificationData FromDataset(Dataset dataset, BertTextTokenizer tokenizer, ulong splitSeed, int maxLength,
        int desiredExamples, SplitFractions? fractions = null)
    {
        fractions ??= Core.Data.SplitFractions.Paper;
        var splits = DatasetSplitter.Split(dataset, fractions, splitSeed);
        IReadOnlyList<EncodedExample> Encode(IEnumerable<Example> examples) => examples
            .Select(e => new EncodedExample([.. tokenizer.Encode(e.Text, maxLength)], dataset.DesiredIndexOf(e), dataset.HarmfulIndexOf(e)))
            .ToList();
        return new CertificationData(Encode(splits.AttackerTrain), Encode(splits.AttackerTune), Encode(splits.Test),
            Encode(splits.DefenderTrain.Take(desiredExamples)), dataset.HarmfulLabels, dataset.DesiredLabels, dataset.Digest, splitSeed, maxLength, fractions)
        {
            TokenizerDigest = tokenizer.Digest,
        };
    }

    private string ComputeDigest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData("mlac.encoded-data.v1\n"u8);
        void Text(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            hash.AppendData(BitConverter.GetBytes((long)bytes.Length));
            hash.AppendData(bytes);
        }
        foreach (var labels in new[] { HarmfulLabels, DesiredLabels })
        {
            hash.AppendData(BitConverter.GetBytes((long)labels.Count));
            foreach (var label in labels) Text(label);
        }
        foreach (var split in new[] { AttackerTrain, AttackerTune, Test, DesiredTrain })
        {
            hash.AppendData(BitConverter.GetBytes((long)split.Count));
            foreach (var e in split)
            {
                hash.AppendData(BitConverter.GetBytes((long)e.TokenIds.Length));
                foreach (var id in e.TokenIds) hash.AppendData(BitConverter.GetBytes(id));
                hash.AppendData(BitConverter.GetBytes(e.Desired));
                hash.AppendData(BitConverter.GetBytes(e.Harmful));
            }
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
