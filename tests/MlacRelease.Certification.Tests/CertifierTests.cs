using MlacRelease.Core.Numerics;
using System.Text;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Execution;
using MlacRelease.Core.Model;
using Xunit.Abstractions;
using static TorchSharp.torch;
using MlacRelease.Common.Errors;

namespace MlacRelease.Certification.Tests;

[Collection(TinyWorldCollection.Name)]
public sealed class CertifierTests(TinyWorld world, ITestOutputHelper output, LazyTinyCertification shared) : IClassFixture<LazyTinyCertification>
{
    private TinyCertification Run => shared.Get(world);

    [Fact]
    public async Task Shards_merged_give_exactly_the_certificate_of_a_whole_run()
    {
        using var folder = new TempFolder();
        foreach (var count in new[] { 2, 3 })
        {
            var shards = Enumerable.Range(1, count).Select(i => folder.File($"{count}-way-{i}")).ToList();
            for (var i = 0; i < count; i++)
            {
                var result = await ShardRunner.RunAsync(Run.Request(shards[i]), new ShardSpec(i + 1, count));
                result.Manifest.Units.Should().NotBeEmpty();
            }
            var merged = ShardMerger.MergeInto(shards, folder.File($"{count}-way-merged"), writeReport: false);
            File.ReadAllBytes(merged.CertificatePath).Should().Equal(Run.Bytes, $"a {count}-way split must merge to the whole run's bytes");
        }
    }

    [Fact]
    public async Task Work_split_between_worker_processes_gives_the_same_bytes_even_when_a_worker_dies()
    {
        using var folder = new TempFolder();
        var path = folder.File("workers");
        // Worker 1 runs before the parent's own loop (in this test process, one at a time: tensors are only ever
        // touched by one thread) and dies after 15 runs, in the middle of a unit it has claimed.
        var launcher = new InProcessLauncher(index =>
        {
            using var die = new CancellationTokenSource();
            var progress = new SynchronousProgress(p => { if (p.CompletedRuns == 15) die.Cancel(); });
            try
            {
                return WorkerHost.RunAsync(Run.Request(path), progress: progress, cancellation: die.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return 1;
            }
        });
        var result = await Certifier.RunAsync(Run.Request(path, workers: 2) with { WorkerLauncher = launcher, WriteReport = false });
        launcher.Started.Should().Equal(1);
        Directory.GetFiles(Path.Combine(path, "claims")).Should().NotBeEmpty("worker 1 claimed units before it died");
        result.ResumedRuns.Should().Be(0);
        result.ComputedRuns.Should().Be(Run.Result.ComputedRuns, "runs of both workers count, and none twice");
        File.ReadAllBytes(result.CertificatePath).Should().Equal(Run.Bytes);
    }

    [Fact]
    public async Task Parallel_workers_need_a_launcher_and_matching_inputs()
    {
        using var folder = new TempFolder();
        var act = () => Certifier.RunAsync(Run.Request(folder.File("x"), workers: 2));
        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*WorkerLauncher*");

        var path = folder.File("mismatch");
        var launcher = new InProcessLauncher(_ => WorkerHost.RunAsync(Run.Request(path) with { Model = world.Pretrained }).GetAwaiter().GetResult());
        var mismatched = () => Certifier.RunAsync(Run.Request(path, workers: 2) with { WorkerLauncher = launcher });
        await mismatched.Should().ThrowAsync<MlacInputException>().WithMessage("*identity*");
    }

    /// <summary>Runs a "worker" synchronously inside the test process when launched.</summary>
    private sealed class InProcessLauncher(Func<int, int> worker) : IWorkerLauncher
    {
        public List<int> Started { get; } = [];

        public Task<int> RunWorkerAsync(int index, CancellationToken cancellation)
        {
            Started.Add(index);
            try
            {
                return Task.FromResult(worker(index));
            }
            catch (Exception e)
            {
                return Task.FromException<int>(e);
            }
        }
    }

    [Fact]
    public async Task Merging_an_incomplete_set_names_the_missing_shards()
    {
        using var folder = new TempFolder();
        var first = folder.File("s1");
        await ShardRunner.RunAsync(Run.Request(first), new ShardSpec(1, 3));
        var act = () => ShardMerger.MergeShards([first, folder.File("s2-never-ran")]);
        var e = act.Should().Throw<IncompleteShardSetException>().Which;
        e.Missing.Should().Equal("2/3", "3/3");
        e.Message.Should().Contain("2/3").And.Contain("3/3");
    }

    [Fact]
    public async Task A_crashed_run_resumes_without_redoing_finished_runs()
    {
        using var folder = new TempFolder();
        var path = folder.File("resumed");
        var total = Run.Result.ComputedRuns;
        using var stop = new CancellationTokenSource();
        var before = 0;
        var progress = new SynchronousProgress(p =>
        {
            before = p.CompletedRuns;
            if (p.CompletedRuns == 20) stop.Cancel();
        });
        var act = () => Certifier.RunAsync(Run.Request(path), progress, stop.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        before.Should().Be(20);
        File.Exists(Path.Combine(path, Certifier.CertificateFileName)).Should().BeFalse();

        var runsDone = new List<CertificationProgress>();
        var resumed = await Certifier.RunAsync(Run.Request(path) with { WriteReport = false }, new SynchronousProgress(runsDone.Add));
        resumed.ResumedRuns.Should().Be(20, "the 20 runs written before the crash are read back");
        resumed.ComputedRuns.Should().Be(total - 20);
        File.ReadAllBytes(resumed.CertificatePath).Should().Equal(Run.Bytes);

        var again = await Certifier.RunAsync(Run.Request(path) with { WriteReport = false });
        again.ComputedRuns.Should().Be(0);
        again.ResumedRuns.Should().Be(total);
    }

    [Fact]
    public async Task A_folder_of_another_certification_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("other");
        await ShardRunner.RunAsync(Run.Request(path), new ShardSpec(1, 1));
        var other = Run.Request(path) with { Model = world.Pretrained };
        var act = () => ShardRunner.RunAsync(other, new ShardSpec(1, 1));
        await act.Should().ThrowAsync<MlacInputException>().WithMessage("*another certification*");
    }

    [Fact]
    public void The_certificate_verifies_against_its_weights()
    {
        var result = CertificateVerifier.Verify(Run.Result.CertificatePath, Run.Blocked, Run.Policy);
        result.Valid.Should().BeTrue(string.Join("; ", result.Failures.Select(f => $"{f.Name}: {f.Detail}")));
        result.Checks.Select(c => c.Name).Should().Contain(["canonical_form", "integrity", "identity", "battery_digest", "derived_results", "weights"]);
        result.PolicyVerdict.Should().BeEquivalentTo(result.Certificate!.Verdict);
    }

    [Fact]
    public void Changing_one_weight_changes_the_digest_and_the_certificate_no_longer_verifies()
    {
        using var changed = Run.Blocked.Clone();
        var name = BertParameterNames.Layer(1, BertParameterNames.Output + ".bias");
        using (no_grad()) HeldScalars.With(1e-3f, s => changed[name][0].add_(s));
        Core.Weights.TorchTensorRecords.Digest(changed).Should().NotBe(Run.Result.Certificate.Context.Model.WeightDigest);

        var result = CertificateVerifier.Verify(Run.Result.CertificatePath, changed);
        result.Valid.Should().BeFalse();
        result.Failures.Should().ContainSingle().Which.Name.Should().Be("weights");
    }

    [Fact]
    public void Edits_to_the_file_are_detected()
    {
        var text = Encoding.UTF8.GetString(Run.Bytes);
        var certificate = Run.Result.Certificate;
        var accuracy = certificate.Attacks[0].Runs[0].Result.TestAccuracy;
        var needle = $"\"test_accuracy\": {System.Text.Json.JsonSerializer.Serialize(accuracy)}";
        text.Should().Contain(needle);

        // A changed number: the integrity digest no longer matches.
        var edited = Encoding.UTF8.GetBytes(ReplaceFirst(text, needle, "\"test_accuracy\": 0.123"));
        var result = CertificateVerifier.Verify(edited, "edited.json");
        result.Valid.Should().BeFalse();
        result.Failures.Select(f => f.Name).Should().Contain("integrity");

        // The same edit, resealed by someone who knows the format: the summary no longer follows from the runs.
        var forged = certificate with
        {
            Attacks = [certificate.Attacks[0] with { Runs = [certificate.Attacks[0].Runs[0] with { Result = certificate.Attacks[0].Runs[0].Result with { TestAccuracy = 0.123 } }, .. certificate.Attacks[0].Runs.Skip(1)] }, .. certificate.Attacks.Skip(1)],
        };
        var resealed = CertificateVerifier.Verify(CertificateSerializer.ToBytes(CertificateSerializer.Seal(forged)), "forged.json");
        resealed.Failures.Select(f => f.Name).Should().Equal("derived_results");

        // A verdict turned from pass to fail (or back) and resealed: it no longer follows from the results and policy.
        var flipped = certificate with { Verdict = certificate.Verdict! with { Passed = !certificate.Verdict.Passed } };
        CertificateVerifier.Verify(CertificateSerializer.ToBytes(CertificateSerializer.Seal(flipped)), "flipped.json")
            .Failures.Select(f => f.Name).Should().Equal("derived_results");

        // data.max_length raised past the battery's and resealed with a recomputed identity: the gate would accept a
        // tokenizer that feeds the model longer inputs than any attack used.
        var longer = certificate with { Context = certificate.Context with { Data = certificate.Context.Data with { MaxLength = certificate.Context.Battery.Content.MaxLength * 2 } } };
        longer = longer with { Identity = longer.Context.Identity(), Provenance = null };   // a forger drops the cache provenance, whose keys would give it away
        CertificateVerifier.Verify(CertificateSerializer.ToBytes(CertificateSerializer.Seal(longer)), "longer.json")
            .Failures.Select(f => f.Name).Should().Equal("max_length");

        // Reformatted (same content, other whitespace): not canonical.
        var reformatted = Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n"));
        CertificateVerifier.Verify(reformatted, "crlf.json").Failures.Select(f => f.Name).Should().Equal("canonical_form");
    }

    [Fact]
    public async Task The_blocked_model_is_certified_as_blocked_and_the_pretrained_one_is_not()
    {
        var certificate = Run.Result.Certificate;
        foreach (var w in certificate.WorstCase.BySize)
            output.WriteLine($"n={w.TrainExamples}: model {w.ModelAccuracy:F3} ({w.StrongestAttack}) pretrained {w.PretrainedAccuracy:F3} random {w.RandomInitAccuracy:F3} blocking {w.BlockingScore:F3} lowest {w.LowestAttackBlockingScore:F3}");
        var r = certificate.Summary.Retention;
        output.WriteLine($"retention probe {r.ModelProbe:F3}/{r.PretrainedProbe:F3}/{r.RandomInitProbe:F3} fine-tune {r.ModelFineTune:F3}/{r.PretrainedFineTune:F3}/{r.RandomInitFineTune:F3}");
        foreach (var c in certificate.Verdict!.Checks) output.WriteLine($"{c.Name}: {c.Status} {c.Detail}");

        certificate.WorstCase.BySize.Should().OnlyContain(w => w.PretrainedAccuracy >= 0.9 && w.ModelAccuracy <= 0.8);
        certificate.WorstCase.MinBlockingScore.Should().BeGreaterThan(0.6);
        r.Retention.Should().BeGreaterThan(0.9);
        certificate.Attacks.Should().HaveCount(3 * 2 * 2);
        certificate.Retention.Select(x => x.Target).Should().Equal(TargetRole.Model, TargetRole.Pretrained, TargetRole.RandomInit);
        certificate.Search.TotalRuns.Should().Be(3 * 2 * ((3 + 1 + 2) + (3 + 2)));

        // The same battery run on the pretrained encoder as "the model": no blocking at all.
        using var folder = new TempFolder();
        var unblocked = await Certifier.RunAsync(Run.Request(folder.File("unblocked")) with { Model = world.Pretrained, WriteReport = false });
        unblocked.Certificate.WorstCase.MinBlockingScore.Should().BeLessThan(0.2);
        unblocked.Certificate.Verdict!.Passed.Should().BeFalse();
        unblocked.Certificate.Verdict.Checks.Should().Contain(c => c.Name.StartsWith("min_blocking_score", StringComparison.Ordinal) && c.Status == Policies.CheckStatus.Fail);
    }

    [Fact]
    public void The_report_has_tables_and_png_plots()
    {
        var report = Run.Result.ReportPath!;
        var text = File.ReadAllText(report);
        text.Should().Contain("## Worst case over the battery").And.Contain("| full_fine_tune |").And.Contain("## Desired-task retention").And.Contain("![accuracy-best-attack.png]");
        var plots = Directory.GetFiles(Path.GetDirectoryName(report)!, "*.png");
        plots.Select(Path.GetFileName).Should().Contain(["accuracy-best-attack.png", "accuracy-full_fine_tune.png", "accuracy-linear_probe.png"]);
        foreach (var plot in plots) File.ReadAllBytes(plot).Take(4).Should().Equal((byte)0x89, (byte)'P', (byte)'N', (byte)'G');
    }

    [Fact]
    public void The_report_gives_each_defined_blocking_score_its_standard_error()
    {
        var certificate = Run.Result.Certificate;
        var text = File.ReadAllText(Run.Result.ReportPath!);
        text.Should().Contain($"over the {certificate.Search.Seeds} seeds").And.Contain($"the {certificate.Context.Data.TestExamples} test examples");
        var attacks = text[text.IndexOf("## Attacks", StringComparison.Ordinal)..text.IndexOf("## Desired-task retention", StringComparison.Ordinal)];
        var rows = attacks.Split('\n').Where(l => l.StartsWith("| full_fine_tune |", StringComparison.Ordinal) || l.StartsWith("| linear_probe |", StringComparison.Ordinal)).ToList();
        rows.Should().HaveCount(certificate.Summary.Attacks.Count);
        foreach (var (row, summary) in rows.Zip(certificate.Summary.Attacks))
        {
            var blockingCell = row.Split('|')[6].Trim();
            if (summary.BlockingScore is { } score)
            {
                var error = Metrics.BlockingUncertainty.StandardError(summary.Model, summary.Pretrained, summary.RandomInit, score, certificate.Context.Data.TestExamples)!.Value;
                error.Should().BePositive("two seeds and 96 examples leave some noise");
                blockingCell.Should().Be($"{score.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} ± {error.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}");
            }
            else
            {
                blockingCell.Should().Be("undefined");
            }
        }
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var i = text.IndexOf(find, StringComparison.Ordinal);
        return text[..i] + replace + text[(i + find.Length)..];
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and race the assertions).</summary>
    private sealed class SynchronousProgress(Action<CertificationProgress> report) : IProgress<CertificationProgress>
    {
        public void Report(CertificationProgress value) => report(value);
    }
}
