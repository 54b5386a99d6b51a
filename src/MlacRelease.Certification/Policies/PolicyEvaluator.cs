using System.Globalization;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Metrics;

namespace MlacRelease.Certification.Policies;

/// <summary>Checks a certificate's worst case and retention, and what it was measured on, against a policy.</summary>
public static class PolicyEvaluator
{
    /// <param name="data">The certificate's data; null only where no certificate exists (a pin on it then fails).</param>
    /// <param name="references">The certificate's reference encoders; null as <paramref name="data"/>.</param>
    public static Verdict Evaluate(CertificationPolicy policy, Battery battery, string batteryDigest, CertificateSummary summary, WorstCase worst,
        DataDescription? data, ReferenceEncoders? references)
    {
        var checks = new List<PolicyCheck>();
        AddSubjectChecks(policy, worst, data, references, checks);
        if (policy.RequiredBattery is { } required)
        {
            var presetDigest = BatteryPresets.Load(required).Digest;
            checks.Add(presetDigest == batteryDigest
                ? new PolicyCheck("required_battery", CheckStatus.Pass, $"battery equals the built-in '{required}' preset ({presetDigest})")
                : new PolicyCheck("required_battery", CheckStatus.Fail, $"battery '{battery.Name}' ({batteryDigest}) is not the built-in '{required}' preset ({presetDigest})"));
        }

        if (policy.MinBlockingScore is { } minBlocking)
        {
            foreach (var w in worst.BySize)
            {
                var name = $"min_blocking_score[n={w.DataSize.Label}]";
                var values = new[] { w.BlockingScore, w.LowestAttackBlockingScore }.Where(v => v is not null).Select(v => v!.Value).ToList();
                if (values.Count == 0)
                {
                    checks.Add(new PolicyCheck(name, policy.UndefinedBlockingFails ? CheckStatus.Fail : CheckStatus.Pass,
                        $"blocking score undefined ({w.BlockingNote}); {(policy.UndefinedBlockingFails ? "the policy fails undefined scores" : "the accuracy-over-random limit applies instead")}"));
                    continue;
                }
                var lowest = values.Min();
                var where = lowest == w.LowestAttackBlockingScore ? w.LowestBlockingAttack : "best attack per target";
                checks.Add(new PolicyCheck(name, lowest >= minBlocking ? CheckStatus.Pass : CheckStatus.Fail,
                    $"lowest blocking score {F(lowest)} ({where}); required ≥ {F(minBlocking)}"));
            }
        }

        if (policy.MaxHarmfulAccuracyOverRandom.Count > 0)
        {
            foreach (var w in worst.BySize)
            {
                var limit = policy.MaxHarmfulAccuracyOverRandom.FirstOrDefault(l => l.DataSize == w.DataSize)
                    ?? policy.MaxHarmfulAccuracyOverRandom.FirstOrDefault(l => l.DataSize is null);
                if (limit is null) continue;
                checks.Add(new PolicyCheck($"max_harmful_accuracy_over_random[n={w.DataSize.Label}]",
                    w.ExcessOverRandom <= limit.MaxExcess ? CheckStatus.Pass : CheckStatus.Fail,
                    $"best attack on the model {F(w.ModelAccuracy)} ({w.StrongestAttack}) vs random init {F(w.RandomInitAccuracy)}: {S(w.ExcessOverRandom)}; allowed {S(limit.MaxExcess)}"));
            }
        }

        if (policy.MinDesiredRetention is { } minRetention)
        {
            var r = summary.Retention;
            checks.Add(new PolicyCheck("min_desired_retention", r.Retention >= minRetention ? CheckStatus.Pass : CheckStatus.Fail,
                $"retention {F(r.Retention)} (probe {F(r.ModelProbe)}/{F(r.PretrainedProbe)}, fine-tune {F(r.ModelFineTune)}/{F(r.PretrainedFineTune)}); required ≥ {F(minRetention)}"));
        }

        if (policy.RequiredParityTolerance is { } parity)
            checks.Add(new PolicyCheck("required_parity_tolerance", CheckStatus.Deferred, $"|ONNX − reference| ≤ {parity.ToString("G3", CultureInfo.InvariantCulture)} is checked at export and gate"));

        return new Verdict(checks.All(c => c.Status != CheckStatus.Fail), checks);
    }

    /// <summary>The pins on what was measured: dataset, harmful labels, pretrained reference, and an informative battery.</summary>
    private static void AddSubjectChecks(CertificationPolicy policy, WorstCase worst, DataDescription? data, ReferenceEncoders? references, List<PolicyCheck> checks)
    {
        if (policy.RequiredDataset is { } dataset)
            checks.Add(Pinned("required_dataset", "dataset", dataset, data?.DatasetDigest));
        if (policy.RequiredHarmfulLabels is { } labels)
        {
            var recorded = data?.HarmfulLabels;
            var same = recorded is not null && recorded.SequenceEqual(labels, StringComparer.Ordinal);
            checks.Add(new PolicyCheck("required_harmful_labels", same ? CheckStatus.Pass : CheckStatus.Fail, same
                ? $"harmful labels [{string.Join(", ", labels)}]"
                : $"harmful labels {(recorded is null ? "not recorded" : $"[{string.Join(", ", recorded)}]")}; required [{string.Join(", ", labels)}]"));
        }
        if (policy.RequiredPretrained is { } pretrained)
            checks.Add(Pinned("required_pretrained", "pretrained reference", pretrained, references?.PretrainedWeightDigest));
        if (policy.MinReferenceHeadStart is { } minHeadStart)
        {
            // The largest size is where a learnable task shows most clearly; small sizes may legitimately show none.
            var largest = worst.BySize.OrderBy(w => w.TrainExamples).LastOrDefault();
            if (largest is null)
            {
                checks.Add(new PolicyCheck("min_reference_head_start", CheckStatus.Fail, "the certificate has no data size to read a head start from"));
                return;
            }
            var headStart = largest.PretrainedAccuracy - largest.RandomInitAccuracy;
            checks.Add(new PolicyCheck($"min_reference_head_start[n={largest.DataSize.Label}]", headStart >= minHeadStart ? CheckStatus.Pass : CheckStatus.Fail,
                $"pretrained {F(largest.PretrainedAccuracy)} vs random init {F(largest.RandomInitAccuracy)}: head start {S(headStart)}; required ≥ {F(minHeadStart)}"));
        }
    }

    private static PolicyCheck Pinned(string name, string what, string required, string? recorded) =>
        string.Equals(recorded, required, StringComparison.Ordinal)
            ? new PolicyCheck(name, CheckStatus.Pass, $"{what} {required}")
            : new PolicyCheck(name, CheckStatus.Fail, $"{what} {recorded ?? "not recorded"}; required {required}");

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string S(double value) => value.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture);
}
