using MlacRelease.Training.Inner;
using MlacRelease.Training.Trainer;

namespace MlacRelease.Training.Tests;

/// <summary>What a resume compares: the options that define the run, in a form that survived the objective options
/// moving from copies on the training options to <see cref="MlacTrainingOptions.Objective"/>.</summary>
public sealed class RunFingerprintTests
{
    /// <summary>Recorded by a checkpoint of <c>mlac train --preset realistic-long-horizon --eval-every 25</c> written
    /// before the nesting: the objective's settings flat and again under "ObjectiveOptions".</summary>
    private const string FlatLayoutFingerprint = """
        {"Weights":{"Desired":1,"Harmful":0,"GradientPenalty":0,"HeadAdjustment":1,"Distillation":0,"Entropy":1,"KlUniform":0,"InverseCrossEntropy":0,"Representation":1},"InnerSteps":4,"InnerStepsStart":null,"InnerStepsWarmup":0,"InnerOptimizer":0,"InnerBatchSizes":[12],"HeadOnlyProbability":0,"LoraRolloutProbability":0,"LoraRank":8,"LoraAlpha":16,"LoraLearningRateMin":0.001,"LoraLearningRateMax":0.005,"AttackerMix":{"FullFineTuneWeight":1,"LoraWeight":2,"HeadOnlyWeight":0.5,"BenignThenHarmfulWeight":1,"Optimizers":[0,2,3],"LearningRateMin":1E-05,"LearningRateMax":0.003,"LoraLearningRateMin":0.0001,"LoraLearningRateMax":0.005,"SgdLearningRateMin":0.001,"SgdLearningRateMax":0.1,"LoraRanks":[4,8,16],"LoraAlphaPerRank":2,"BenignFraction":0.25,"ClipNorm":1},"LongHorizon":{"Steps":32,"SuppressionEvery":4,"Fraction":0.5},"EntropyStepDecay":0.0625,"InnerClipNorm":100,"AttackerLearningRateInit":0.0003,"AttackerLearningRateMin":1E-06,"AttackerLearningRateMax":0.01,"MetaLearningRate":0.0001,"MetaClipNorm":10,"OuterLearningRate":0.0001,"OuterClipNorm":10,"OuterBatchSize":12,"Steps":0,"EvaluateEvery":25,"CheckpointEvery":1,"FirstOrder":false,"SparseEmbeddings":true,"MaxLength":48,"Seed":0,"ValidationExamples":512,"QuickAttackerExamples":200,"HeadInitializationExamples":2000,"CandidateEvery":0,"Budget":null,"ObjectiveOptions":{"Weights":{"Desired":1,"Harmful":0,"GradientPenalty":0,"HeadAdjustment":1,"Distillation":0,"Entropy":1,"KlUniform":0,"InverseCrossEntropy":0,"Representation":1},"InnerOptimizer":0,"InnerClipNorm":100,"AttackerLearningRateMin":1E-06,"AttackerLearningRateMax":0.01,"HeadAdjustmentBound":1,"EntropyStepDecay":0.0625,"FirstOrder":false,"SparseEmbeddings":true,"TextbookInnerAdam":false}}
        """;

    private static readonly MlacTrainingOptions FlatLayoutRun =
        MlacPresets.WithCommandLineBudget(MlacPresets.Get("realistic-long-horizon")) with { EvaluateEvery = 25 };

    [Fact]
    public void A_checkpoint_written_before_the_objective_options_were_nested_still_resumes() =>
        RunFingerprint.Matches(FlatLayoutFingerprint, RunFingerprint.Of(FlatLayoutRun)).Should().BeTrue();

    [Fact]
    public void Other_objective_or_training_settings_do_not_match_it()
    {
        var variants = new[]
        {
            FlatLayoutRun with { Objective = FlatLayoutRun.Objective with { InnerClipNorm = 50 } },
            FlatLayoutRun with { Objective = FlatLayoutRun.Objective with { Weights = FlatLayoutRun.Objective.Weights with { Entropy = 0.5 } } },
            FlatLayoutRun with { Objective = FlatLayoutRun.Objective with { HeadAdjustmentBound = 2 } },
            FlatLayoutRun with { OuterLearningRate = 5e-4 },
            FlatLayoutRun with { LongHorizon = null },
            // Settings added after the checkpoint was written match only at the value that does what it did.
            FlatLayoutRun with { AttackerMix = FlatLayoutRun.AttackerMix! with { ReinitTopLayersWeight = 1 } },
            FlatLayoutRun with { AttackerMix = FlatLayoutRun.AttackerMix! with { LoraAlphasPerRank = [1, 2, 4] } },
            FlatLayoutRun with { AttackerMix = FlatLayoutRun.AttackerMix! with { LoraAlphasPerRank = [4] } },
            FlatLayoutRun with { SplitSeed = 1 },
            FlatLayoutRun with { AttackerMix = FlatLayoutRun.AttackerMix! with { ReinitOptimizers = [InnerOptimizerKind.Adam] } },
            FlatLayoutRun with { AttackerMix = FlatLayoutRun.AttackerMix! with { ReinitLearningRateMin = 3e-5, ReinitLearningRateMax = 7e-4 } },
            FlatLayoutRun with { LongHorizon = FlatLayoutRun.LongHorizon! with { CarriedLoraShare = 0.5 } },
            FlatLayoutRun with { LongHorizon = FlatLayoutRun.LongHorizon! with { ReinitSteps = 96 } },
            FlatLayoutRun with { Objective = FlatLayoutRun.Objective with { Weights = FlatLayoutRun.Objective.Weights with { Erasure = 10 } } },
            FlatLayoutRun with { Objective = FlatLayoutRun.Objective with { Weights = FlatLayoutRun.Objective.Weights with { MetaErasure = 10 } } },
            FlatLayoutRun with { Seed = 1, SplitSeed = 0 },
        };
        foreach (var variant in variants) RunFingerprint.Matches(FlatLayoutFingerprint, RunFingerprint.Of(variant)).Should().BeFalse(variant.ToString());
    }

    [Fact]
    public void Carrying_every_LoRA_rollout_is_what_runs_before_the_share_did() =>
        RunFingerprint.Matches(FlatLayoutFingerprint, RunFingerprint.Of(FlatLayoutRun with { LongHorizon = FlatLayoutRun.LongHorizon! with { CarriedLoraShare = 1 } })).Should().BeTrue();

    [Fact]
    public void A_loss_term_recorded_before_it_existed_matches_only_at_weight_0()
    {
        // A checkpoint written before KlUniform and Entropy existed recorded neither (in the flat layout and its copy).
        var older = System.Text.Json.Nodes.JsonNode.Parse(FlatLayoutFingerprint)!.AsObject();
        void Remove(string term)
        {
            older["Weights"]!.AsObject().Remove(term);
            older["ObjectiveOptions"]!["Weights"]!.AsObject().Remove(term);
        }
        Remove("KlUniform");
        RunFingerprint.Matches(older.ToJsonString(), RunFingerprint.Of(FlatLayoutRun)).Should().BeTrue("KlUniform is 0 in the run");
        Remove("Entropy");
        RunFingerprint.Matches(older.ToJsonString(), RunFingerprint.Of(FlatLayoutRun)).Should().BeFalse("Entropy is 1 in the run: the old run did not have it");
    }

    [Fact]
    public void A_split_seed_equal_to_the_run_seed_is_the_split_those_runs_made() =>
        RunFingerprint.Matches(FlatLayoutFingerprint, RunFingerprint.Of(FlatLayoutRun with { SplitSeed = FlatLayoutRun.Seed })).Should().BeTrue();

    [Fact]
    public void Steps_budget_and_spacing_of_checkpoints_and_candidates_may_change_on_resume()
    {
        var longer = FlatLayoutRun with { Steps = 900, Budget = TimeSpan.FromHours(2), CheckpointEvery = 7, CandidateEvery = 50 };
        RunFingerprint.Of(longer).Should().Be(RunFingerprint.Of(FlatLayoutRun));
        RunFingerprint.Matches(RunFingerprint.Of(longer), RunFingerprint.Of(FlatLayoutRun)).Should().BeTrue();
    }

    [Fact]
    public void A_fingerprint_that_is_not_an_options_object_matches_nothing()
    {
        RunFingerprint.Matches("", RunFingerprint.Of(FlatLayoutRun)).Should().BeFalse();
        RunFingerprint.Matches("[1, 2]", RunFingerprint.Of(FlatLayoutRun)).Should().BeFalse();
    }
}
