using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Selection;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Selection;
using MlacRelease.Core.Weights;

namespace MlacRelease.Certification.Tests;

[Collection(TinyWorldCollection.Name)]
public sealed class CheckpointSelectionTests(TinyWorld world)
{
    private static readonly string Vocabulary = string.Join('\n', Enumerable.Range(0, TinyWorld.Config.VocabSize).Select(i => $"tok{i}")) + "\n";

    private static CandidateScore Score(long step, double? blocking, double drop) =>
        new(step, blocking, blocking is null ? null : "lora @ n=100", 0.6, drop, drop <= SelectionRule.DesiredTolerance, "x");

    [Fact]
    public void The_rule_takes_the_best_blocking_among_candidates_that_keep_the_desired_task()
    {
        var scores = new[] { Score(50, 0.9, 0.05), Score(100, 0.7, 0.0), Score(150, 0.75, 0.01), Score(200, null, 0.0) };
        var (step, reason) = SelectionRule.Choose(scores);
        step.Should().Be(150, "step 50 blocks best but lost 5 points of the desired task; an undefined score ranks last");
        reason.Should().Contain("0.750").And.Contain("3 eligible");
    }

    [Fact]
    public void Ties_go_to_the_later_step_and_no_eligible_candidate_chooses_nothing()
    {
        SelectionRule.Choose([Score(50, 0.8, 0), Score(100, 0.8, 0)]).Step.Should().Be(100);
        var (none, reason) = SelectionRule.Choose([Score(50, 0.9, 0.2), Score(100, 0.95, 0.03)]);
        none.Should().BeNull();
        reason.Should().Contain("smallest drop 3.0");
    }

    [Fact]
    public void The_reason_names_candidates_within_one_standard_error_of_the_chosen_one()
    {
        // Session 19's two-candidate run: 0.816 against 0.813, each read to about ± 0.13 on 100 examples.
        var chosen = Score(0, 0.816, 0) with { WorstCaseBlockingError = 0.13 };
        var (step, reason) = SelectionRule.Choose([chosen, Score(100, 0.813, 0), Score(200, 0.60, 0)]);
        step.Should().Be(0);
        reason.Should().Contain("0.816 ± 0.13").And.Contain("tied at this battery's resolution: step 100 (0.813)").And.NotContain("step 200");

        var (_, clear) = SelectionRule.Choose([Score(0, 0.95, 0) with { WorstCaseBlockingError = 0.05 }, Score(100, 0.80, 0)]);
        clear.Should().Contain("0.950 ± 0.05").And.NotContain("tied");
        SelectionRule.Choose([Score(0, 0.816, 0), Score(100, 0.813, 0)]).Reason.Should().NotContain("±", "no error was measured");
    }

    [Fact]
    public void A_drop_within_the_noise_of_a_small_validation_split_is_no_reason_to_refuse()
    {
        // 95 % against 93 % on the 100 examples of the built-in corpus's validation test part: two examples.
        var small = SelectionRule.NoiseMargin(0.95, 0.93, 100);
        small.Should().BeApproximately(Math.Sqrt((0.95 * 0.05 + 0.93 * 0.07) / 100), 1e-12);
        (0.02 <= SelectionRule.DesiredTolerance + small).Should().BeTrue("two examples of 100 are within one standard error");
        // The same drop measured on 10,000 examples is real, and ten points on 100 are too.
        (0.02 <= SelectionRule.DesiredTolerance + SelectionRule.NoiseMargin(0.95, 0.93, 10_000)).Should().BeFalse();
        (0.10 <= SelectionRule.DesiredTolerance + SelectionRule.NoiseMargin(0.95, 0.85, 100)).Should().BeFalse();
        // A perfect pretrained and model leave no noise to allow.
        SelectionRule.NoiseMargin(1.0, 1.0, 100).Should().Be(0);
        FluentActions.Invoking(() => SelectionRule.NoiseMargin(0.9, 0.9, 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Validation_data_comes_from_the_attacker_tune_split_only()
    {
        var examples = Enumerable.Range(0, 4000).Select(i => new Example($"id{i}", $"w{i}", $"d{i % 3}", $"h{i % 2}")).ToList();
        var dataset = Dataset.Create(examples, "test");
        var splits = DatasetSplitter.Split(dataset, SplitFractions.Paper, 5);
        var tokenizer = new MlacRelease.Common.Text.BertTextTokenizer("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n" + string.Join('\n', Enumerable.Range(0, 4000).Select(i => $"w{i}")) + "\n",
            new MlacRelease.Common.Text.TokenizerSettings { MaxLength = 16 });
        var data = ValidationData.FromSplits(splits, tokenizer, 16, 50);

        splits.AttackerTune.Count.Should().Be(100);
        (data.AttackerTrain.Count, data.AttackerTune.Count, data.Test.Count).Should().Be((44, 16, 40));
        data.DesiredTrain.Should().HaveCount(50);
        // Each part keeps the harmful-label balance of the pool.
        foreach (var part in new[] { data.AttackerTrain, data.AttackerTune, data.Test })
            part.Count(e => e.Harmful == 0).Should().BeCloseTo(part.Count / 2, 1);
        // Every validation example is an attacker-tune example, each used once: each text is its own token.
        var tune = splits.AttackerTune.Select(e => string.Join(',', tokenizer.Encode(e.Text, 16))).ToList();
        var used = data.AttackerTrain.Concat(data.AttackerTune).Concat(data.Test).Select(e => string.Join(',', e.TokenIds)).ToList();
        used.Should().HaveCount(100).And.BeEquivalentTo(tune);
        var test = splits.Test.Select(e => string.Join(',', tokenizer.Encode(e.Text, 16))).ToHashSet();
        used.Should().NotContain(u => test.Contains(u), "the certifying test split is never seen by selection");
    }

    [Fact]
    public void The_selector_releases_the_candidate_real_attacks_break_least_and_skips_one_that_lost_the_desired_task()
    {
        using var folder = new TempFolder();
        var battery = BatteryParser.Parse(TinyCertification.BatteryYaml, "tiny.yaml");
        using var blocked = TinyCertification.BlockHarmfulCue(world.Pretrained);
        using var broken = TinyCertification.MergeCueTokens(blocked, 5, 6);
        var candidates = new[] { (10L, world.Pretrained), (20L, blocked), (30L, broken) }.Select(c =>
        {
            var path = CandidateLayout.PathOf(folder.Path, c.Item1);
            HuggingFaceDirectory.Save(path, c.Item2, Vocabulary);
            return new SelectionCandidate(c.Item1, path);
        }).ToList();
        CandidateLayout.List(folder.Path).Select(c => c.Step).Should().Equal(10, 20, 30);

        var selector = new CheckpointSelector(world.Pretrained, world.Data, battery, threads: 1);
        var result = selector.Run(candidates, folder.File("selection"));

        var byStep = result.Candidates.ToDictionary(c => c.Step);
        byStep[10].WorstCaseBlocking.Should().BeLessThan(0.3, "the pretrained encoder itself blocks nothing");
        byStep[20].WorstCaseBlocking.Should().BeGreaterThan(0.8);
        byStep[30].Eligible.Should().BeFalse("the desired cue is gone: the desired task dropped far more than a point");
        result.ChosenStep.Should().Be(20);
        File.Exists(Path.Combine(folder.File("selection"), CheckpointSelector.ResultFile)).Should().BeTrue();
        // With no cache named, the candidates share references through one inside the selection folder.
        Directory.Exists(Path.Combine(folder.File("selection"), CheckpointSelector.LocalCacheFolder)).Should().BeTrue();
        result.Candidates.Select(c => CertificateSerializer.Read(c.CertificatePath).Provenance!.Arms.All(a => a.Source == BaselineArm.FromCache))
            .Should().Equal(false, true, true);

        // Resumable: a second run reuses every finished attack and reaches the same choice.
        var again = selector.Run(candidates, folder.File("selection"));
        again.Should().BeEquivalentTo(result);
        SelectionPlot.Write(result, folder.Path).Should().EndWith(SelectionPlot.FileName);
    }

    [Fact]
    public void A_partial_candidate_folder_is_never_listed()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(CandidateLayout.PathOf(folder.Path, 7) + CandidateLayout.PartialSuffix);
        Directory.CreateDirectory(Path.Combine(folder.Path, CandidateLayout.Folder, "step-12x"));
        Directory.CreateDirectory(CandidateLayout.PathOf(folder.Path, 9));
        CandidateLayout.List(folder.Path).Select(c => c.Step).Should().Equal(9);
    }
}
