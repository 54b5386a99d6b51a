using System.Text;
using MlacRelease.Cli.Terminal;

namespace MlacRelease.Cli.Tests.InProcess;

/// <summary>
/// Every <c>mlac</c> command in process: the happy path on tiny inputs (the chain of <see cref="ReleaseChainFixture"/>,
/// then verify, gate, embed, classify, select, slurm) and each exit code: 0 success, 1 a failed check, 2 usage or
/// input error (the message names the file, line and field), 3 a runtime failure, 130 interrupted.
/// </summary>
public sealed class CommandTests(ReleaseChainFixture chain) : IClassFixture<ReleaseChainFixture>, IDisposable
{
    private readonly TempFolder _scratch = new("mlac-cli-cmd-");

    public void Dispose() => _scratch.Dispose();

    private string Scratch(string name, string? content = null)
    {
        var path = Path.Combine(_scratch.Path, name);
        if (content is not null) File.WriteAllText(path, content);
        return path;
    }

    // ---- happy paths: the chain

    [Fact]
    public void Train_writes_a_hugging_face_folder_with_its_split_and_head()
    {
        chain.Steps["train"].Out.Should().Contain("steps").And.Contain(chain.Run);
        foreach (var file in new[] { "config.json", "model.safetensors", "vocab.txt", "split.json", "heads.safetensors" })
            File.Exists(Path.Combine(chain.Run, file)).Should().BeTrue(file);
    }

    [Fact]
    public void Certify_writes_a_certificate_that_verifies_and_names_the_weights()
    {
        chain.Steps["certify"].Out.Should().Contain("certificate:");
        var verification = Certification.Certificates.CertificateVerifier.Verify(chain.Certificate);
        verification.Valid.Should().BeTrue(string.Join("; ", verification.Failures.Select(f => f.Detail)));
    }

    [Fact]
    public void Report_rewrites_a_verified_certificate_and_refuses_an_edited_one()
    {
        var folder = Path.Combine(chain.Root, "report-again");
        Mlac.Expect(ExitCodes.Success, "report", "--certificate", chain.Certificate, "--out", folder).All.Should().Contain("certificate verified");
        var text = File.ReadAllText(Path.Combine(folder, "report.md"));
        text.Should().Contain("## Worst case over the battery").And.Contain("approximate standard error");
        text.Should().Be(File.ReadAllText(Path.Combine(Path.GetDirectoryName(chain.Certificate)!, "report", "report.md")),
            "the report is a function of the certificate");
        Directory.GetFiles(folder, "*.png").Should().NotBeEmpty();

        // One run's test accuracy changed: the derived numbers no longer follow, and no report is written.
        var edited = Path.Combine(chain.Root, "edited-certificate.json");
        var json = File.ReadAllText(chain.Certificate);
        var at = json.IndexOf("\"test_accuracy\":", StringComparison.Ordinal);
        at.Should().BePositive();
        var end = json.IndexOfAny([',', '}'], at);
        File.WriteAllText(edited, json[..at] + "\"test_accuracy\":0.999" + json[end..]);
        var refused = Mlac.Expect(ExitCodes.CheckFailed, "report", "--certificate", edited, "--out", Path.Combine(chain.Root, "edited-report"));
        refused.All.Should().Contain("failed");
        Directory.Exists(Path.Combine(chain.Root, "edited-report")).Should().BeFalse();
        Mlac.Expect(ExitCodes.InputError, "report", "--certificate", Path.Combine(chain.Root, "absent.json")).All.Should().Contain("no such certificate file");
    }

    [Fact]
    public void Merge_of_the_two_shards_gives_the_unsharded_certificate_byte_for_byte()
    {
        chain.Steps["shard 1/2"].Out.Should().Contain("shard 1/2 done");
        File.ReadAllBytes(Path.Combine(chain.Root, "merged", "certificate.json")).Should().Equal(File.ReadAllBytes(chain.Certificate));
    }

    [Fact]
    public void Export_keygen_and_sign_make_a_release_that_verify_accepts()
    {
        chain.Steps["export"].Out.Should().Contain("release:").And.Contain("parity");
        chain.Steps["keygen"].Out.Should().Contain(chain.PublicKey);
        chain.Steps["sign"].Out.Should().Contain("signed");
        Mlac.Expect(ExitCodes.Success, "verify", "--release", chain.Release, "--public-key", chain.PublicKey).Out.Should().Contain("PASS");
    }

    [Fact]
    public void Gate_passes_a_lenient_policy_and_fails_the_release_policy_naming_the_checks()
    {
        Mlac.Expect(ExitCodes.Success, "gate", "--release", chain.Release, "--policy", chain.LenientPolicy, "--public-key", chain.PublicKey, "--no-progress")
            .Out.Should().Contain("gate: PASS");
        var strict = Mlac.Expect(ExitCodes.CheckFailed, "gate", "--release", chain.Release, "--policy", RepositoryFiles.Path("release-checks", "policy.yaml"),
            "--public-key", chain.PublicKey, "--no-progress");
        strict.Out.Should().Contain("gate: FAIL (");
    }

    [Fact]
    public void Embed_and_classify_run_the_release_with_onnx_runtime()
    {
        var embed = Mlac.Expect(ExitCodes.Success, "embed", "--release", chain.Release, "--public-key", chain.PublicKey, "--json", "A nurse in Montréal.", "A poet in Lagos.");
        embed.Out.Should().Contain("\"embedding\"").And.Contain("A poet in Lagos.");
        var texts = Scratch("texts.txt", "They have practised dentistry in Ohio for ten years.\n");
        Mlac.Expect(ExitCodes.Success, "classify", "--release", chain.Release, "--public-key", chain.PublicKey, "--file", texts).Out.Should().Contain("dentistry");
    }

    [Fact]
    public void Select_certifies_each_kept_candidate_on_attacker_tune_data_and_releases_one_saying_why()
    {
        // Two candidates of the chain's run (its weights at both steps: the tie goes to the later one), with its split.
        var run = Scratch("select-run");
        Directory.CreateDirectory(run);
        foreach (var step in new[] { 1L, 2L })
        {
            var candidate = Core.Selection.CandidateLayout.PathOf(run, step);
            Directory.CreateDirectory(candidate);
            foreach (var file in new[] { "config.json", "model.safetensors", "vocab.txt" })
                File.Copy(Path.Combine(chain.Run, file), Path.Combine(candidate, file));
        }
        foreach (var file in new[] { "config.json", "model.safetensors", "vocab.txt", "split.json" })
            File.Copy(Path.Combine(chain.Run, file), Path.Combine(run, file));
        // A probe-only battery that fits the validation cut of 2,000 examples' attacker-tune split (22 / 8 / 20).
        var battery = Scratch("select.yaml", """
            schema: mlac.battery/v1
            name: select-tiny
            seed: 3
            max_length: 16
            evaluation: {every: 4, tune_examples: 8, test_examples: 20}
            data_sizes: [8, 16]
            seeds: [0]
            search: {method: random_successive_halving, trials: 2, eta: 2, rungs: 1}
            metrics: {accuracy_targets: [0.7, 0.9], blocking_min_gap: 0.05}
            retention:
              train_examples: 64
              probe_l2: 0.01
              fine_tune: {optimizer: adamw, learning_rate: 3.0e-3, schedule: constant, batch_size: 8, steps: 4}
            attacks:
              - family: linear_probe
                l2: {min: 1.0e-3, max: 1.0}
            """);

        var cache = Scratch("select-cache");
        var result = Mlac.Expect(ExitCodes.Success, "select", "--run", run, "--pretrained", chain.Pretrained, "--data", ReleaseChainFixture.Data,
            "--battery", battery, "--threads", "1", "--baseline-cache", cache, "--no-progress");

        result.Out.Should().Contain("released step 2").And.Contain("allowed");
        var selection = File.ReadAllText(Path.Combine(run, "selection.json"));
        selection.Should().Contain("mlac.selection/v3").And.Contain("desired_drop_noise");
        var scored = System.Text.Json.Nodes.JsonNode.Parse(selection)!["candidates"]!.AsArray().Where(c => c!["worst_case_blocking"] is not null).ToList();
        scored.Should().NotBeEmpty();
        foreach (var candidate in scored)
            candidate!["worst_case_blocking_error"]!.GetValue<double>().Should().BePositive("a defined score carries its standard error");
        File.Exists(Path.Combine(run, "plots", "selection.png")).Should().BeTrue();
        File.ReadAllBytes(Path.Combine(run, "model.safetensors")).Should().Equal(File.ReadAllBytes(Path.Combine(chain.Run, "model.safetensors")));
        // The references are the same for every candidate: the first computes them into the cache, the second reads them.
        string Sources(long step) => string.Join(",", Certification.Certificates.CertificateSerializer.Read(
            Path.Combine(run, "selection", $"step-{step:D6}", "certificate.json")).Provenance!.Arms.Select(a => a.Source));
        Sources(1).Should().Be("computed,computed");
        Sources(2).Should().Be("baseline_cache,baseline_cache");
        Directory.EnumerateFiles(cache, "*.json", SearchOption.AllDirectories).Should().NotBeEmpty();
    }

    [Fact]
    public void Certify_cost_sample_times_runs_of_every_family_and_prices_the_battery_with_and_without_cached_baselines()
    {
        var battery = Scratch("cost.yaml", SplitTravelsWithTheModelTests.TinyBattery + "\n" + """
              - family: full_fine_tune
                optimizers: [adam]
                learning_rate: {min: 1.0e-3, max: 1.0e-2}
                schedules: [constant]
                batch_sizes: [8]
                steps: [6, 9]
                weight_decay: [0.0]
                max_grad_norm: 1.0

            """);
        string[] Certify(string output) => [.. chain.Certify(output).Select(a => a == chain.Battery ? battery : a), "--cost-sample", "1"];
        var output = Scratch("cost");
        var result = Mlac.Expect(ExitCodes.Success, Certify(output));

        result.Out.Should().Contain("CPU-h per further model (cached baselines)").And.Contain("Slurm array of 16 nodes");
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "cost-sample.json")));
        report.RootElement.GetProperty("schema").GetString().Should().Be("mlac.cost-sample/v1");
        var runs = report.RootElement.GetProperty("sample").GetProperty("runs").EnumerateArray().ToList();
        runs.Select(r => r.GetProperty("family").GetString()).Should().Equal("linear_probe", "full_fine_tune");
        runs.Should().OnlyContain(r => r.GetProperty("cpu_seconds").GetDouble() > 0);
        File.Exists(Path.Combine(output, "certificate.json")).Should().BeFalse("a cost sample certifies nothing");

        Mlac.Expect(ExitCodes.InputError, [.. Certify(Scratch("cost-2")), "--workers", "2"]).Error.Should().Contain("--cost-sample");
    }

    [Fact]
    public void Slurm_submit_dry_run_prints_the_scripts_and_the_sbatch_commands()
    {
        var output = Path.Combine(_scratch.Path, "campaign");
        var result = Mlac.Expect(ExitCodes.Success, "slurm", "submit", "--out", output, "--shards", "2", "--dry-run", "--mlac-command", "mlac", "--",
            "--model", chain.Run, "--pretrained", chain.Pretrained, "--data", ReleaseChainFixture.Data, "--battery", chain.Battery);
        result.Out.Should().Contain("sbatch").And.Contain("--shard");
    }

    // ---- exit 1: a check failed

    [Fact]
    public void Verify_of_a_tampered_release_fails_naming_the_file()
    {
        var copy = chain.CopyOfRelease("tampered");
        File.AppendAllText(Path.Combine(copy, "vocab.txt"), "extra\n");
        var result = Mlac.Expect(ExitCodes.CheckFailed, "verify", "--release", copy, "--public-key", chain.PublicKey);
        result.Out.Should().Contain("FAIL").And.Contain("vocab.txt");
    }

    [Fact]
    public void Verify_with_another_key_fails_the_signature()
    {
        Mlac.Expect(ExitCodes.Success, "keygen", "--out", Scratch("other.key"));
        Mlac.Expect(ExitCodes.CheckFailed, "verify", "--release", chain.Release, "--public-key", Scratch("other.pub")).Out.Should().Contain("FAIL  signature");
    }

    [Fact]
    public void Merge_of_an_incomplete_shard_set_fails_naming_the_missing_shard()
    {
        var result = Mlac.Expect(ExitCodes.CheckFailed, "merge", "--out", Scratch("merged"), "--no-progress", Path.Combine(chain.Root, "shard-1"));
        result.Error.Should().Contain("2/2");
    }

    // ---- exit 2: usage and input errors, naming file, line and field

    [Fact]
    public void An_unknown_command_is_a_usage_error()
    {
        Mlac.Expect(ExitCodes.InputError, "frobnicate").Error.Should().Contain("run 'mlac --help' for usage");
    }

    [Theory]
    [InlineData("train")]
    [InlineData("certify")]
    [InlineData("merge")]
    [InlineData("export")]
    [InlineData("sign")]
    [InlineData("verify")]
    [InlineData("gate")]
    [InlineData("embed")]
    [InlineData("select")]
    [InlineData("erase")]
    public void A_missing_required_option_is_a_usage_error_naming_the_command(string command)
    {
        Mlac.Expect(ExitCodes.InputError, command).Error.Should().Contain("required").And.Contain($"run 'mlac {command} --help' for usage");
    }

    [Fact]
    public void Erase_finds_the_corpus_first_names_and_writes_a_folder_bound_to_its_new_weights()
    {
        var output = Scratch("erased");
        var result = Mlac.Expect(ExitCodes.Success, "erase", "--model", chain.Pretrained, "--data", "builtin:bios:6000", "--out", output, "--erase-max-rank", "4");
        result.All.Should().Contain("go with the harmful label").And.Contain("held-out accuracy");
        var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "erasure.json"))).RootElement;
        var names = Core.Data.BiosCorpusGenerator.FemaleFirstNames.Concat(Core.Data.BiosCorpusGenerator.MaleFirstNames).Select(n => n.ToLowerInvariant()).ToHashSet();
        var tokens = report.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("token").GetString()!).ToList();
        tokens.Count.Should().BeGreaterThan(200, "about 320 first names are single wordpieces of the built-in vocabulary");
        tokens.Count(names.Contains).Should().BeGreaterThan((int)(0.9 * tokens.Count), "the corpus's only gender cue is the first name");
        var (weights, _, _) = Core.Sources.ModelSource.Load(output);
        using (weights) report.GetProperty("weight_digest").GetString().Should().Be(Core.Weights.TorchTensorRecords.Digest(weights));
        Core.Data.SplitRecord.TryRead(output)!.Seed.Should().Be(0);
        Mlac.Expect(ExitCodes.InputError, "erase", "--model", chain.Pretrained, "--data", "builtin:bios:6000", "--out", output).Error.Should().Contain("already exists");
    }

    [Fact]
    public void Erase_for_a_pipeline_reuses_an_erasure_of_the_same_weights_and_redoes_a_stale_one()
    {
        var output = Scratch("pipeline-erased");
        var options = new Training.Erasure.LexicalErasureOptions { MinCount = 2, FalseDiscoveryRate = 0.5, Rank = 2 };
        var (trained, _, _) = Core.Sources.ModelSource.Load(chain.Run);
        string digest;
        using (trained) digest = Core.Weights.TorchTensorRecords.Digest(trained);
        var mode = new OutputMode(Json: false, NoProgress: true);
        var (first, reusedFirst) = Commands.EraseCommand.EraseUnlessCurrent(mode, chain.Run, digest, ReleaseChainFixture.Data, output, options);
        reusedFirst.Should().BeFalse();
        first.SourceWeightDigest.Should().Be(digest);
        var written = File.GetLastWriteTimeUtc(Path.Combine(output, "model.safetensors"));

        var (second, reusedSecond) = Commands.EraseCommand.EraseUnlessCurrent(mode, chain.Run, digest, ReleaseChainFixture.Data, output, options);
        reusedSecond.Should().BeTrue();
        second.WeightDigest.Should().Be(first.WeightDigest);
        File.GetLastWriteTimeUtc(Path.Combine(output, "model.safetensors")).Should().Be(written);

        // A record of other source weights (the run trained further since) is not trusted: the folder is written again.
        var stale = Path.Combine(output, "erasure.json");
        File.WriteAllText(stale, File.ReadAllText(stale).Replace(digest, "sha256:" + new string('0', 64)));
        var (third, reusedThird) = Commands.EraseCommand.EraseUnlessCurrent(mode, chain.Run, digest, ReleaseChainFixture.Data, output, options);
        reusedThird.Should().BeFalse();
        third.SourceWeightDigest.Should().Be(digest);
        third.WeightDigest.Should().Be(first.WeightDigest, "erasure is deterministic");

        // Other options on the same weights are not the same erasure either.
        var (fourth, reusedFourth) = Commands.EraseCommand.EraseUnlessCurrent(mode, chain.Run, digest, ReleaseChainFixture.Data, output, options with { Rank = 1 });
        reusedFourth.Should().BeFalse();
        fourth.Rank.Should().Be(1);

        // A record that does not parse (edited by hand) is stale too, not a crash of the pipeline.
        File.WriteAllText(stale, "{ not json");
        var (fifth, reusedFifth) = Commands.EraseCommand.EraseUnlessCurrent(mode, chain.Run, digest, ReleaseChainFixture.Data, output, options);
        reusedFifth.Should().BeFalse();
        fifth.WeightDigest.Should().Be(first.WeightDigest);
    }

    [Fact]
    public void Erase_of_a_trained_run_keeps_its_split_and_rebinds_its_head()
    {
        var output = Scratch("run-erased");
        Mlac.Expect(ExitCodes.Success, "erase", "--model", chain.Run, "--data", ReleaseChainFixture.Data, "--out", output, "--erase-min-count", "2", "--erase-fdr", "0.5", "--erase-rank", "2");
        Core.Data.SplitRecord.TryRead(output).Should().Be(Core.Data.SplitRecord.TryRead(chain.Run));
        var (weights, _, _) = Core.Sources.ModelSource.Load(output);
        using (weights)
        {
            var head = Core.Weights.SafetensorsReader.Read(Path.Combine(output, "heads.safetensors"));
            head.Metadata["mlac.weight_digest"].Should().Be(Core.Weights.TorchTensorRecords.Digest(weights));
            // Everything else in the head file is the trained run's: tensors byte for byte and every other metadata entry.
            var trained = Core.Weights.SafetensorsReader.Read(Path.Combine(chain.Run, "heads.safetensors"));
            head.Tensors.Select(t => (t.Name, Convert.ToHexString(t.Data.Span))).Should().Equal(trained.Tensors.Select(t => (t.Name, Convert.ToHexString(t.Data.Span))));
            head.Metadata.Where(kv => kv.Key != "mlac.weight_digest").Should().BeEquivalentTo(trained.Metadata.Where(kv => kv.Key != "mlac.weight_digest"));
        }
        Mlac.Expect(ExitCodes.InputError, "erase", "--model", chain.Run, "--data", ReleaseChainFixture.Data, "--out", Scratch("other-seed"), "--split-seed", "77")
            .Error.Should().Contain("split seed").And.Contain("--split-seed").And.NotContain("Omit --seed ");
    }

    [Fact]
    public void An_option_of_the_wrong_type_is_a_usage_error()
    {
        Mlac.Expect(ExitCodes.InputError, "demo", "--steps", "many").Error.Should().Contain("many");
        Mlac.Expect(ExitCodes.InputError, "keygen", "--bogus").Error.Should().Contain("--bogus");
    }

    [Fact]
    public void A_refinement_of_the_realistic_attacker_without_it_is_refused_but_its_absence_is_not()
    {
        // The fixture's own `mlac train` runs without these flags; a switch's implicit false must not count as given.
        var result = Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("fresh"), "--steps", "1", "--attacker-fresh-heads", "--no-progress");
        result.Error.Should().Contain("--attacker-fresh-heads").And.Contain("--attacker-mix realistic");
    }

    [Fact]
    public void A_malformed_reinitialisation_rate_range_names_the_flag_and_the_form()
    {
        var result = Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("reinit-lr"), "--steps", "1",
            "--preset", "realistic-reinit", "--attacker-reinit-lr", "1e-3", "--no-progress");
        result.Error.Should().Contain("--attacker-reinit-lr 1e-3").And.Contain("MIN,MAX");
        result = Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("reinit-opt"), "--steps", "1",
            "--preset", "realistic-reinit", "--attacker-reinit-optimizers", "adam,lbfgs", "--no-progress");
        result.Error.Should().Contain("--attacker-reinit-optimizers adam,lbfgs").And.Contain("sgd-momentum");
    }

    [Fact]
    public void Re_initialisation_draws_reach_the_mix_and_need_re_initialisation_attackers_and_the_realistic_mix()
    {
        // Refused by the mix's own validation, so the parsed range did reach the options.
        var result = Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("reinit-none"), "--steps", "1",
            "--preset", "realistic-reinit", "--attacker-families", "full,lora", "--attacker-reinit-lr", "3e-5,7e-4", "--no-progress");
        result.Error.Should().Contain("attacker-reinit").And.Contain("unset unless");
        result = Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("reinit-fixed"), "--steps", "1",
            "--attacker-reinit-optimizers", "adam", "--no-progress");
        result.Error.Should().Contain("--attacker-reinit-optimizers").And.Contain("--attacker-mix realistic");
    }

    [Fact]
    public void A_carried_share_without_carrying_is_refused()
    {
        var result = Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("share"), "--steps", "1",
            "--preset", "realistic-reinit", "--carry-lora-share", "0.5", "--no-progress");
        result.Error.Should().Contain("--carry-lora-share").And.Contain("--carry-lora");
    }

    [Fact]
    public void Long_re_initialisation_rollouts_without_re_initialisation_attackers_are_refused()
    {
        var result = Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("reinit"), "--steps", "1",
            "--preset", "realistic-long-horizon", "--long-reinit-steps", "64", "--no-progress");
        result.Error.Should().Contain("long-reinit-steps").And.Contain("reinit");
    }

    [Fact]
    public void A_malformed_dataset_line_names_file_line_and_field()
    {
        var data = Scratch("bad.jsonl", "{\"text\": \"a nurse\", \"desired\": \"nurse\", \"harmful\": \"f\"}\n{\"text\": \"a poet\", \"desired\": \"poet\"}\n");
        var result = Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--data", data, "--out", Scratch("run"), "--steps", "1", "--no-progress");
        result.Error.Should().Contain($"{data}:2").And.Contain("'harmful'");
    }

    [Fact]
    public void A_battery_with_an_unknown_field_names_file_line_and_field()
    {
        var battery = Scratch("bad-battery.yaml", SplitTravelsWithTheModelTests.TinyBattery + "\nbudget_hours: 3\n");
        var result = Mlac.Expect(ExitCodes.InputError, [.. chain.Certify(Scratch("cert")).Select(a => a == chain.Battery ? battery : a), "--plan"]);
        result.Error.Should().Contain(battery).And.Contain("budget_hours").And.MatchRegex(@"line \d+|:\d+");
    }

    [Fact]
    public void A_policy_with_a_value_of_the_wrong_type_names_file_and_field()
    {
        var policy = Scratch("bad-policy.yaml", File.ReadAllText(chain.LenientPolicy).Replace("min_desired_retention: 0.0", "min_desired_retention: lots", StringComparison.Ordinal));
        // certify reads --policy before anything else (the gate, by contrast, fails closed: exit 1 with the policy check failed).
        var result = Mlac.Expect(ExitCodes.InputError, [.. chain.Certify(Scratch("cert")), "--policy", policy, "--plan"]);
        result.Error.Should().Contain(policy).And.Contain("min_desired_retention");
    }

    [Fact]
    public void A_corrupt_model_file_names_the_file()
    {
        var folder = Path.Combine(_scratch.Path, "corrupt");
        MlacRelease.Tests.Shared.ReleaseCopy.Copy(chain.Run, folder);
        var weights = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[0] = 0xff;
        bytes[7] = 0x7f;
        File.WriteAllBytes(weights, bytes);
        var result = Mlac.Expect(ExitCodes.InputError, "export", "--model", folder, "--out", Scratch("release"));
        result.Error.Should().Contain("model.safetensors");
    }

    [Fact]
    public void A_config_json_field_of_the_wrong_type_names_file_and_field()
    {
        var folder = Path.Combine(_scratch.Path, "badconfig");
        MlacRelease.Tests.Shared.ReleaseCopy.Copy(chain.Pretrained, folder);
        var config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"hidden_size\": 16", "\"hidden_size\": \"wide\"", StringComparison.Ordinal));
        var result = Mlac.Expect(ExitCodes.InputError, "export", "--model", folder, "--out", Scratch("release"));
        result.Error.Should().Contain("config.json").And.Contain("hidden_size");
    }

    [Fact]
    public void Missing_files_and_folders_are_named()
    {
        Mlac.Expect(ExitCodes.InputError, "sign", "--release", _scratch.Path, "--key", chain.Key).Error.Should().Contain(Path.Combine(_scratch.Path, "manifest.json"));
        Mlac.Expect(ExitCodes.InputError, "verify", "--release", Scratch("nowhere"), "--public-key", chain.PublicKey).Error.Should().Contain("nowhere");
        Mlac.Expect(ExitCodes.InputError, "gate", "--release", chain.Release, "--policy", Scratch("none.yaml"), "--public-key", chain.PublicKey).Error.Should().Contain("none.yaml");
        Mlac.Expect(ExitCodes.InputError, "export", "--model", chain.Run, "--certificate", Scratch("none.json"), "--out", Scratch("release"), "--max-length", "16").Error.Should().Contain("none.json");
        Mlac.Expect(ExitCodes.InputError, "select", "--run", chain.Run, "--data", ReleaseChainFixture.Data).Error.Should().Contain("candidates");
    }

    [Fact]
    public void Serving_needs_a_key_or_the_explicit_unsigned_opt_in()
    {
        Mlac.Expect(ExitCodes.InputError, "embed", "--release", chain.Release, "text").Error.Should().Contain("--public-key");
        Mlac.Expect(ExitCodes.InputError, "embed", "--release", chain.Release, "--public-key", chain.PublicKey).Error.Should().Contain("no texts");
        Mlac.Expect(ExitCodes.Success, "embed", "--release", chain.Release, "--allow-unsigned", "text").Error.Should().Contain("warning");
    }

    [Fact]
    public void A_shard_spec_out_of_range_is_an_input_error()
    {
        Mlac.Expect(ExitCodes.InputError, [.. chain.Certify(Scratch("cert")), "--shard", "3/2", "--plan"]).Error.Should().Contain("3/2");
    }

    [Fact]
    public void A_malformed_shard_spec_is_an_input_error_naming_the_option_and_its_form()
    {
        // Once a FormatException from the parser: exit 3.
        foreach (var spec in new[] { "abc", "2of8", "1/x" })
            Mlac.Expect(ExitCodes.InputError, [.. chain.Certify(Scratch("cert")), "--shard", spec, "--plan"]).Error.Should().Contain("--shard").And.Contain("i/N").And.Contain(spec);
    }

    [Fact]
    public void An_empty_or_blank_path_is_an_input_error_naming_the_option()
    {
        // Once the runtime's ArgumentException for an empty path (exit 3), or a file named by blanks that is not there.
        var certify = new[] { "certify", "--model", chain.Run, "--pretrained", chain.Pretrained, "--battery", chain.Battery, "--plan", "--no-progress" };
        Mlac.Expect(ExitCodes.InputError, [.. certify, "--data", "", "--out", Scratch("cert")]).Error.Should().Contain("--data").And.Contain("empty");
        Mlac.Expect(ExitCodes.InputError, [.. certify, "--out", ""]).Error.Should().Contain("--out").And.Contain("empty");
        Mlac.Expect(ExitCodes.InputError, "export", "--model", chain.Run, "--out", "").Error.Should().Contain("--out").And.Contain("empty");
        Mlac.Expect(ExitCodes.InputError, "sign", "--release", chain.Release, "--key", "  ").Error.Should().Contain("--key").And.Contain("empty");
        Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", "", "--steps", "1", "--no-progress").Error.Should().Contain("--out").And.Contain("empty");
        // Options forwarded to the array tasks are checked on submission, as certify would check them.
        Mlac.Expect(ExitCodes.InputError, "slurm", "submit", "--out", Scratch("campaign"), "--shards", "2", "--dry-run", "--", "--model", "", "--battery", chain.Battery)
            .Error.Should().Contain("--model").And.Contain("empty");
    }

    // Option and data validation in the library throws MlacInputException (once ArgumentException, which exit 2 no longer
    // takes): each of these still ends as an input error that names the option.

    [Fact]
    public void A_training_option_out_of_range_is_an_input_error_naming_it()
    {
        Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("range"), "--steps", "1", "--head-only-probability", "2", "--no-progress")
            .Error.Should().Contain("head-only-probability").And.Contain("0..1");
    }

    [Fact]
    public void A_built_in_model_or_data_spec_out_of_range_is_an_input_error_naming_the_option()
    {
        Mlac.Expect(ExitCodes.InputError, "certify", "--model", "builtin:minilm:9", "--battery", chain.Battery, "--out", Scratch("cert"), "--plan", "--no-progress")
            .Error.Should().Contain("--model builtin:minilm:9");
        Mlac.Expect(ExitCodes.InputError, "certify", "--model", chain.Run, "--pretrained", chain.Pretrained, "--data", "builtin:bios:many", "--battery", chain.Battery,
            "--out", Scratch("cert"), "--plan", "--no-progress").Error.Should().Contain("--data builtin:bios:many");
    }

    [Fact]
    public void A_slurm_resource_out_of_range_is_an_input_error_naming_the_option()
    {
        Mlac.Expect(ExitCodes.InputError, "slurm", "submit", "--out", Scratch("campaign"), "--shards", "2", "--cpus-per-task", "0", "--dry-run",
            "--", "--model", chain.Run, "--battery", chain.Battery).Error.Should().Contain("--cpus-per-task");
    }

    [Fact]
    public void An_enum_option_given_as_a_number_that_names_no_member_is_an_input_error()
    {
        // System.CommandLine parses any integer into an enum; the library would meet it as a bug (exit 3).
        Mlac.Expect(ExitCodes.InputError, "train", "--model", chain.Pretrained, "--out", Scratch("enum"), "--steps", "1", "--inner-optimizer", "7", "--no-progress")
            .Error.Should().Contain("--inner-optimizer 7");
        Mlac.Expect(ExitCodes.InputError, "embed", "--release", chain.Release, "--public-key", chain.PublicKey, "--pooling", "7", "text")
            .Error.Should().Contain("--pooling 7");
    }

    // ---- exit 3: a runtime failure, with its type and the hint to the stack trace

    [Fact]
    public void A_failure_that_is_no_input_error_is_exit_3_with_the_exception_type()
    {
        // The key's folder is a file: the write fails with an IOException that is not about any input.
        var blocker = Scratch("blocker", "a file, not a folder");
        var result = Mlac.Expect(ExitCodes.RuntimeFailure, "keygen", "--out", Path.Combine(blocker, "release.key"));
        result.Error.Should().Contain("Exception").And.Contain("MLAC_DEBUG=1");
    }

    // ---- exit 130: interrupted

    [Fact]
    public void An_interrupted_certification_is_exit_130_and_says_it_resumes()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var result = Mlac.Run(cancelled.Token, chain.Certify(Scratch("interrupted")));
        result.Code.Should().Be(ExitCodes.Cancelled, result.ToString());
        result.Error.Should().Contain("run the same command again to resume");
    }

    [Fact]
    public void An_interrupted_training_is_exit_130()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var result = Mlac.Run(cancelled.Token, "train", "--model", chain.Pretrained, "--data", ReleaseChainFixture.Data, "--out", Scratch("run"), "--steps", "2",
            "--inner-steps", "1", "--batch-size", "4", "--max-length", "16", "--no-progress");
        result.Code.Should().Be(ExitCodes.Cancelled, result.ToString());
    }

    [Fact]
    public void Json_output_is_one_document_on_stdout()
    {
        var result = Mlac.Expect(ExitCodes.Success, "keygen", "--out", Scratch("json.key"), "--json");
        using var document = System.Text.Json.JsonDocument.Parse(Encoding.UTF8.GetBytes(result.Out));
        document.RootElement.GetProperty("key_id").GetString().Should().NotBeNullOrEmpty();
    }
}
