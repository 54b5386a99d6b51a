using MlacRelease.Certification.Attacks;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Search;

namespace MlacRelease.Certification.Tests;

public sealed class BatteryParserTests
{
    /// <summary>A valid battery; tests break one line of it at a time.</summary>
    public const string Valid = """
        schema: mlac.battery/v1
        name: tiny
        seed: 3
        max_length: 16
        evaluation: {every: 5, tune_examples: null, test_examples: 64}
        data_sizes: [8, 24]
        seeds: [0, 1]
        search: {method: random_successive_halving, trials: 3, eta: 3, rungs: 2}
        metrics: {accuracy_targets: [0.7, 0.9], blocking_min_gap: 0.05}
        retention:
          train_examples: 64
          probe_l2: 0.01
          fine_tune: {optimizer: adamw, learning_rate: 3.0e-3, schedule: constant, batch_size: 8, steps: 10}
        attacks:
          - family: full_fine_tune
            optimizers: [adam, sgd_momentum]
            learning_rate: {min: 1.0e-3, max: 1.0e-2}
            learning_rate_overrides: {sgd_momentum: 0.1}
            schedules: [constant, cosine]
            batch_sizes: [8]
            steps: [9, 12]
            weight_decay: [0.0]
            max_grad_norm: 1.0
          - family: linear_probe
            l2: {min: 1.0e-3, max: 1.0}
        """;

    private static StrictYamlException Rejects(string yaml)
    {
        var act = () => BatteryParser.Parse(yaml, "tiny.yaml");
        return act.Should().Throw<StrictYamlException>().Which;
    }

    [Fact]
    public void A_valid_file_parses_into_the_battery_it_describes()
    {
        var battery = BatteryParser.Parse(Valid, "tiny.yaml");
        battery.Name.Should().Be("tiny");
        battery.DataSizes.Select(s => s.Count).Should().Equal(8, 24);
        battery.Evaluation.Should().Be(new EvaluationSettings(5, null, 64));
        battery.Attacks.Should().HaveCount(2);
        var full = battery.Attacks[0];
        full.Family.Should().Be(AttackFamily.FullFineTune);
        full.Training!.LearningRate.Should().Be(new LogUniformRange(1e-3, 1e-2));
        full.Training.LearningRateOverrides.Should().ContainSingle().Which.Should().Be(new OptimizerLearningRate(OptimizerKind.SgdMomentum, new LogUniformRange(0.1, 0.1)));
        battery.Attacks[1].ProbeL2.Should().Be(new LogUniformRange(1e-3, 1));
    }

    [Fact]
    public void The_digest_ignores_comments_and_layout_but_not_content()
    {
        var a = BatteryParser.Parse(Valid, "a.yaml");
        var b = BatteryParser.Parse("# a comment\n" + Valid.Replace("seeds: [0, 1]", "seeds:\n  - 0\n  - 1"), "b.yaml");
        var c = BatteryParser.Parse(Valid.Replace("seeds: [0, 1]", "seeds: [0, 2]"), "c.yaml");
        b.Digest.Should().Be(a.Digest);
        c.Digest.Should().NotBe(a.Digest);
    }

    [Fact]
    public void An_unknown_attack_family_is_rejected_with_file_line_and_field()
    {
        var e = Rejects(Valid.Replace("family: full_fine_tune", "family: full_finetune"));
        e.Line.Should().Be(15);
        e.Field.Should().Be("attacks[0].family");
        e.Message.Should().StartWith("tiny.yaml:15:").And.Contain("attacks[0].family").And.Contain("unknown value 'full_finetune'").And.Contain("full_fine_tune");
    }

    [Fact]
    public void A_negative_learning_rate_is_rejected()
    {
        var e = Rejects(Valid.Replace("learning_rate: {min: 1.0e-3, max: 1.0e-2}", "learning_rate: {min: -1.0e-3, max: 1.0e-2}"));
        e.Line.Should().Be(17);
        e.Field.Should().Be("attacks[0].learning_rate.min");
        e.Message.Should().Contain("must be greater than 0").And.Contain("-1.0e-3");
        Rejects(Valid.Replace("learning_rate: 3.0e-3", "learning_rate: -3")).Field.Should().Be("retention.fine_tune.learning_rate");
    }

    [Fact]
    public void An_empty_seed_list_is_rejected()
    {
        var e = Rejects(Valid.Replace("seeds: [0, 1]", "seeds: []"));
        e.Line.Should().Be(7);
        e.Field.Should().Be("seeds");
        e.Message.Should().Contain("must not be empty");
    }

    [Theory]
    [InlineData("max_grad_norm: 1.0", "max_grad_norm: 1.0\n    momentum: 0.9", "attacks[0].momentum", "unknown key 'momentum'")]
    [InlineData("l2: {min: 1.0e-3, max: 1.0}", "l2: {min: 1.0e-3, max: 1.0}\n    ranks: [4]", "attacks[1].ranks", "unknown key 'ranks'")]
    [InlineData("optimizers: [adam, sgd_momentum]", "optimizers: [adam, rmsprop]", "attacks[0].optimizers[1]", "unknown value 'rmsprop'")]
    [InlineData("schedules: [constant, cosine]", "schedules: [constant, constant]", "attacks[0].schedules[1]", "duplicate value")]
    [InlineData("data_sizes: [8, 24]", "data_sizes: [24, 8]", "data_sizes[1]", "must increase")]
    [InlineData("data_sizes: [8, 24]", "data_sizes: [0]", "data_sizes[0]", "must be at least 1")]
    [InlineData("seeds: [0, 1]", "seeds: [1, 1]", "seeds[1]", "duplicate seed")]
    [InlineData("seeds: [0, 1]", "seeds: [-1]", "seeds[0]", "non-negative integer")]
    [InlineData("steps: [9, 12]", "steps: [nine]", "attacks[0].steps[0]", "expected an integer")]
    [InlineData("eta: 3", "eta: 1", "search.eta", "between 2 and 100")]
    [InlineData("method: random_successive_halving", "method: tpe", "search.method", "unknown search method")]
    [InlineData("schema: mlac.battery/v1", "schema: mlac.battery/v2", "schema", "expected 'mlac.battery/v1'")]
    [InlineData("l2: {min: 1.0e-3, max: 1.0}", "l2: {min: 1.0e-3, max: 1.0e-4}", "attacks[1].l2.max", "is below min")]
    [InlineData("name: tiny", "name: Tiny Battery", "name", "a name is")]
    public void Other_mistakes_are_rejected_with_their_field(string find, string replace, string field, string problem)
    {
        Valid.Should().Contain(find);
        var e = Rejects(Valid.Replace(find, replace));
        e.Field.Should().Be(field);
        e.Message.Should().Contain(problem);
        e.Line.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Re_initialisation_can_freeze_the_layers_under_it_and_only_re_initialisation()
    {
        const string reinit = """
              - family: reinit_top_layers
                optimizers: [adam]
                learning_rate: {min: 1.0e-4, max: 1.0e-3}
                schedules: [constant]
                batch_sizes: [8]
                steps: [9]
                weight_decay: [0.0]
                layers: [1]
            """;
        var frozen = BatteryParser.Parse(Valid + "\n" + reinit + "\n    freeze_lower_layers: true", "tiny.yaml").Attacks[2];
        frozen.FreezeLowerLayers.Should().BeTrue();
        frozen.Sample(new Core.Data.DeterministicRandom(1)).FreezeLowerLayers.Should().BeTrue();
        var plain = BatteryParser.Parse(Valid + "\n" + reinit, "tiny.yaml").Attacks[2].Sample(new Core.Data.DeterministicRandom(1));
        plain.FreezeLowerLayers.Should().BeNull();
        Certificates.CanonicalJson.SerializeToString(plain).Should().NotContain("freeze", "configurations without it keep their bytes");

        var notBool = Rejects(Valid + "\n" + reinit + "\n    freeze_lower_layers: yes");
        (notBool.Field, notBool.Message).Should().Match<(string, string)>(e => e.Item1 == "attacks[2].freeze_lower_layers" && e.Item2.Contains("expected true or false"));
        Rejects(Valid.Replace("max_grad_norm: 1.0", "max_grad_norm: 1.0\n    freeze_lower_layers: true")).Field.Should().Be("attacks[0].freeze_lower_layers");
    }

    [Fact]
    public void A_missing_required_key_is_rejected()
    {
        var e = Rejects(Valid.Replace("max_length: 16\n", ""));
        e.Field.Should().Be("max_length");
        e.Message.Should().Contain("required key is missing");
    }

    [Fact]
    public void Invalid_yaml_is_reported_with_its_position()
    {
        var e = Rejects("schema: [unclosed\nname: x");
        e.File.Should().Be("tiny.yaml");
        e.Message.Should().Contain("not valid YAML");
    }

    [Fact]
    public void A_data_size_larger_than_the_attacker_split_is_rejected_at_its_line()
    {
        var battery = BatteryParser.Parse(Valid, "tiny.yaml");
        var act = () => battery.CheckAgainst(attackerTrainCount: 20, desiredTrainCount: 1000);
        var e = act.Should().Throw<StrictYamlException>().Which;
        e.Line.Should().Be(6);
        e.Field.Should().Be("data_sizes[1]");
        e.Message.Should().Contain("n = 24 is larger than the attacker's training split (20 examples)");
    }

    [Fact]
    public void The_presets_parse_and_are_what_they_claim()
    {
        BatteryPresets.Names.Should().BeEquivalentTo(["paper", "quick", "standard", "validation"]);
        foreach (var name in BatteryPresets.Names)
        {
            var battery = BatteryPresets.Load(name);
            battery.Name.Should().Be(name);
            BatteryPresets.MatchingPreset(battery).Should().Be(name);
        }
        var standard = BatteryPresets.Load("standard");
        standard.Attacks.Select(a => a.Family).Should().BeEquivalentTo(Enum.GetValues<AttackFamily>());
        standard.Attacks.Single(a => a.Family == AttackFamily.FullFineTune).Training!.Optimizers.Should().BeEquivalentTo(Enum.GetValues<OptimizerKind>());
        standard.Attacks.Single(a => a.Family == AttackFamily.FullFineTune).Training!.Schedules.Should().BeEquivalentTo(Enum.GetValues<ScheduleKind>());
        standard.Attacks.Single(a => a.Family == AttackFamily.FullFineTune).Training!.LearningRate.Should().Be(new LogUniformRange(1e-6, 1e-2));
        standard.Attacks.Single(a => a.Family == AttackFamily.Lora).Lora!.Ranks.Should().Equal(4, 8, 16, 32, 64);
        standard.DataSizes.Select(s => s.Label).Should().Equal("20", "50", "100", "200", "500", "1000", "all");
        standard.Attacks.SelectMany(a => a.Training?.Steps ?? []).Max().Should().BeGreaterThanOrEqualTo(1000);
        standard.Seeds.Count.Should().BeGreaterThanOrEqualTo(5);
        BatteryPresets.Load("paper").DataSizes.Select(s => s.Count).Should().Equal(20, 50, 100, 200);
        BatteryPresets.Load("paper").Seeds.Should().HaveCount(15);
    }

    [Fact]
    public void The_embedded_presets_are_the_files_in_release_checks()
    {
        var folder = Path.Combine(RepositoryRoot(), "release-checks", "batteries");
        foreach (var name in BatteryPresets.Names)
            File.ReadAllText(Path.Combine(folder, name + ".yaml")).Should().Be(BatteryPresets.Text(name));
    }

    [Fact]
    public void The_extra_batteries_in_release_checks_parse_and_are_named_after_their_files()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryRoot(), "release-checks", "extra-batteries"), "*.yaml");
        files.Select(Path.GetFileNameWithoutExtension).Should().Contain(["demo", "science", "lora-stress"]);
        foreach (var file in files)
        {
            var battery = BatteryParser.Load(file);
            battery.Name.Should().Be(Path.GetFileNameWithoutExtension(file));
            battery.Attacks.Should().NotBeEmpty(file);
        }
        var stress = BatteryParser.Load(files.Single(f => f.EndsWith("lora-stress.yaml")));
        stress.Attacks.Select(a => a.Family).Should().Equal(AttackFamily.Lora, AttackFamily.FullFineTune);
    }

    [Fact]
    public void Sampling_is_deterministic_and_stays_in_the_space()
    {
        var space = BatteryParser.Parse(Valid, "tiny.yaml").Attacks[0];
        for (ulong seed = 0; seed < 50; seed++)
        {
            var a = space.Sample(new Core.Data.DeterministicRandom(seed));
            var b = space.Sample(new Core.Data.DeterministicRandom(seed));
            a.Should().BeEquivalentTo(b);
            var t = a.Training!;
            if (t.Optimizer == OptimizerKind.SgdMomentum) t.LearningRate.Should().Be(0.1);
            else t.LearningRate.Should().BeInRange(1e-3, 1e-2);
            t.Steps.Should().BeOneOf(9, 12);
        }
    }

    [Fact]
    public void Successive_halving_keeps_a_third_per_rung_and_ends_at_full_length()
    {
        var plan = SuccessiveHalving.Plan(new SearchSettings(27, 3, 3), budgeted: true);
        plan.Select(r => r.Configurations).Should().Equal(27, 9, 3);
        plan.Select(r => r.BudgetFraction).Should().Equal(1.0 / 9, 1.0 / 3, 1.0);
        SuccessiveHalving.RunCount(new SearchSettings(27, 3, 3), true).Should().Be(39);
        SuccessiveHalving.Plan(new SearchSettings(5, 3, 1), true).Should().Equal(new Rung(0, 5, 1.0));
        SuccessiveHalving.Plan(new SearchSettings(27, 3, 3), budgeted: false).Should().Equal(new Rung(0, 27, 1.0));
        SuccessiveHalving.StepsAt(plan[0], 100).Should().Be(11);
    }

    internal static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Directory.Packages.props"))) folder = folder.Parent;
        return folder?.FullName ?? throw new DirectoryNotFoundException("repository root not found above " + AppContext.BaseDirectory);
    }
}
