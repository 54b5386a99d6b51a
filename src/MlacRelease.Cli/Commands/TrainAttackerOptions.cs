using System.CommandLine;
using System.Globalization;
using MlacRelease.Cli.Terminal;
using MlacRelease.Training.Inner;
using MlacRelease.Training.Trainer;

namespace MlacRelease.Cli.Commands;

/// <summary>The flags of <c>mlac train</c> that choose the simulated attacker: the realistic mix and the first-order
/// long-horizon rollouts. Kept apart from the command so that its option list stays readable.</summary>
internal sealed class TrainAttackerOptions
{
    private readonly Option<string?> _mix = new("--attacker-mix")
    {
        Description = "fixed | realistic. realistic: every rollout draws its attacker's family (full fine-tuning, LoRA rank 4-16, head only, " +
                      "benign-then-harmful, top-layer re-initialisation), optimiser (Adam, AdamW, SGD with momentum) and a log-uniform learning rate over the batteries' ranges, " +
                      "seeded by --seed and the step, and metrics.jsonl records each draw; it replaces --inner-optimizer, the meta-learned α, " +
                      "--head-only-probability and --lora-rollouts [default: fixed]",
    };
    private readonly Option<string?> _families = new("--attacker-families") { Description = "With realistic: NAME[=WEIGHT],… from full, lora, head, benign, reinit (top layer and pooler re-initialised, then full fine-tuning); unlisted families are not drawn [default: full,lora,head,benign, equal weights]" };
    private readonly Option<string?> _optimizers = new("--attacker-optimizers") { Description = "With realistic: drawn uniformly from adam, adamw (weight decay 0.01), sgd-momentum (0.9) [default: all three]" };
    private readonly Option<string?> _lr = new("--attacker-lr") { Description = "With realistic: MIN,MAX log-uniform learning rate of Adam/AdamW attackers other than LoRA [default: 1e-5,3e-3]" };
    private readonly Option<string?> _reinitOptimizers = new("--attacker-reinit-optimizers") { Description = "With realistic: the optimisers re-initialisation attackers draw from, instead of --attacker-optimizers (the simulated ones that relearn the label are Adam/AdamW) [default: --attacker-optimizers]" };
    private readonly Option<string?> _reinitLr = new("--attacker-reinit-lr") { Description = "With realistic: MIN,MAX for Adam/AdamW re-initialisation attackers, instead of --attacker-lr (the simulated ones that relearn the label in 96 steps drew 3e-5 to 7e-4); SGD ones keep --attacker-sgd-lr [default: --attacker-lr]" };
    private readonly Option<string?> _loraLr = new("--attacker-lora-lr") { Description = "With realistic: MIN,MAX for Adam/AdamW LoRA attackers [default: 1e-4,5e-3]" };
    private readonly Option<string?> _sgdLr = new("--attacker-sgd-lr") { Description = "With realistic: MIN,MAX for SGD-with-momentum attackers of every family [default: 1e-3,1e-1]" };
    private readonly Option<string?> _ranks = new("--attacker-lora-ranks") { Description = "With realistic: LoRA ranks drawn uniformly, α = 2·rank [default: 4,8,16]" };
    private readonly Option<string?> _alphas = new("--attacker-lora-alphas") { Description = "With realistic: LoRA α/rank values drawn uniformly (the batteries' α 16/32 at r 8/16 are 1,2,4) [default: 2]" };
    private readonly Option<bool> _freshHeads = new("--attacker-fresh-heads") { Description = "With realistic: every rollout's attacker starts from a fresh random head, as each of the certifier's attacks does, instead of the meta-learned head all rollouts share" };
    private readonly Option<double?> _clip = new("--attacker-clip") { Description = "With realistic: the attacker's gradient clip (global norm), the batteries' max_grad_norm [default: 1]" };
    private readonly Option<int?> _longHorizon = new("--long-horizon")
    {
        Description = "K of first-order long-horizon rollouts (16-64 suggested): no graph through the inner steps, the suppression terms " +
                      "taken every --suppression-every steps and their gradients at the attacker's weights applied straight through to the " +
                      "encoder (first-order MAML); needs --lambda-grad 0 [default: off]",
    };
    private readonly Option<int?> _suppressionEvery = new("--suppression-every") { Description = "With --long-horizon: M, take the suppression loss at k = 0, M, 2M, …, K [default: 4]" };
    private readonly Option<double?> _longFraction = new("--long-horizon-fraction") { Description = "With --long-horizon: share of rollouts that are long, the rest short and second order with K = --inner-steps [default: 1]" };
    private readonly Option<int?> _carryLora = new("--carry-lora")
    {
        Description = "With --long-horizon and LoRA in the realistic mix: STEPS, carry each LoRA attacker (adapters, head, optimiser moments) from one " +
                      "rollout to the next until it has taken STEPS inner steps, so it reaches the states of the batteries' 500-step LoRA attacks; every " +
                      "LoRA rollout chosen to carry is then long; 0 = a fresh attacker per rollout [default: 0]",
    };
    private readonly Option<double?> _carryShare = new("--carry-lora-share")
    {
        Description = "With --carry-lora: the share of LoRA rollouts, drawn per rollout, that continue the carried attacker; the others start a fresh " +
                      "one, long or short as --long-horizon-fraction draws [default: 1, every LoRA rollout]",
    };

    private readonly Option<int?> _reinitSteps = new("--long-reinit-steps")
    {
        Description = "With --long-horizon and reinit in the realistic mix: K, every rollout whose attacker re-initialises the top layers is long " +
                      "and runs K first-order steps (the attacks that break trained models recover only after about 100); 0 = long or short " +
                      "as --long-horizon-fraction draws, with K = --long-horizon [default: 0]",
    };

    public IEnumerable<Option> All => [_mix, _families, _optimizers, _lr, _reinitOptimizers, _reinitLr, _loraLr, _sgdLr, _ranks, _alphas, _freshHeads, _clip, _longHorizon, _suppressionEvery, _longFraction, _carryLora, _carryShare, _reinitSteps];

    /// <summary>The options with these flags applied; refuses refinements of a mode that is not on.</summary>
    public MlacTrainingOptions Apply(ParseResult result, MlacTrainingOptions options, bool innerOptimizerGiven)
    {
        // A preset may carry a realistic mix and long-horizon rollouts; the flags refine or replace what it set.
        var mixName = result.GetValue(_mix) ?? (options.AttackerMix is null ? "fixed" : "realistic");
        if (mixName is not ("fixed" or "realistic")) throw new CliException($"--attacker-mix {mixName}: expected fixed or realistic");
        var refinements = new Option[] { _families, _optimizers, _lr, _reinitOptimizers, _reinitLr, _loraLr, _sgdLr, _ranks, _alphas, _freshHeads, _clip };
        if (mixName == "fixed")
        {
            // A switch has a result even when absent (its implicit false), so it counts only when set.
            if (refinements.FirstOrDefault(o => o == _freshHeads ? result.GetValue(_freshHeads) : result.GetResult(o) is not null) is { } given)
                throw new CliException($"{given.Name} refines the realistic attacker: pass --attacker-mix realistic too");
            options = options with { AttackerMix = null };
        }
        else
        {
            if (innerOptimizerGiven) throw new CliException("--inner-optimizer sets the fixed attacker; the realistic mix (--attacker-mix realistic or the preset's) draws it (see --attacker-optimizers, or pass --attacker-mix fixed)");
            var mix = options.AttackerMix ?? new RealisticAttackerMix();
            if (result.GetValue(_families) is { } families) mix = ParseFamilies(families, mix);
            if (result.GetValue(_optimizers) is { } optimizers) mix = mix with { Optimizers = ParseOptimizers(optimizers, _optimizers.Name) };
            if (result.GetValue(_lr) is { } lr) { var (min, max) = ParseRange(lr, _lr.Name); mix = mix with { LearningRateMin = min, LearningRateMax = max }; }
            if (result.GetValue(_reinitOptimizers) is { } reinitOptimizers) mix = mix with { ReinitOptimizers = ParseOptimizers(reinitOptimizers, _reinitOptimizers.Name) };
            if (result.GetValue(_reinitLr) is { } reinitLr) { var (min, max) = ParseRange(reinitLr, _reinitLr.Name); mix = mix with { ReinitLearningRateMin = min, ReinitLearningRateMax = max }; }
            if (result.GetValue(_loraLr) is { } loraLr) { var (min, max) = ParseRange(loraLr, _loraLr.Name); mix = mix with { LoraLearningRateMin = min, LoraLearningRateMax = max }; }
            if (result.GetValue(_sgdLr) is { } sgdLr) { var (min, max) = ParseRange(sgdLr, _sgdLr.Name); mix = mix with { SgdLearningRateMin = min, SgdLearningRateMax = max }; }
            if (result.GetValue(_ranks) is { } ranks) mix = mix with { LoraRanks = ParsePositiveIntegers(ranks, _ranks.Name) };
            if (result.GetValue(_alphas) is { } alphas) mix = mix with { LoraAlphasPerRank = ParsePositiveNumbers(alphas, _alphas.Name) };
            if (result.GetValue(_clip) is { } clip) mix = mix with { ClipNorm = clip };
            if (result.GetValue(_freshHeads)) mix = mix with { FreshHeads = true };
            options = options with { AttackerMix = mix };
        }

        if (result.GetValue(_longHorizon) is { } k)
        {
            var longHorizon = (options.LongHorizon ?? new LongHorizonOptions()) with { Steps = k };
            longHorizon = longHorizon with
            {
                SuppressionEvery = result.GetValue(_suppressionEvery) ?? Math.Min(longHorizon.SuppressionEvery, k),
                Fraction = result.GetValue(_longFraction) ?? longHorizon.Fraction,
                CarriedLoraSteps = result.GetValue(_carryLora) ?? longHorizon.CarriedLoraSteps,
                CarriedLoraShare = result.GetValue(_carryShare) ?? longHorizon.CarriedLoraShare,
                ReinitSteps = result.GetValue(_reinitSteps) ?? longHorizon.ReinitSteps,
            };
            options = options with { LongHorizon = longHorizon };
        }
        else if (options.LongHorizon is { } fromPreset)
        {
            options = options with
            {
                LongHorizon = fromPreset with
                {
                    SuppressionEvery = result.GetValue(_suppressionEvery) ?? fromPreset.SuppressionEvery,
                    Fraction = result.GetValue(_longFraction) ?? fromPreset.Fraction,
                    CarriedLoraSteps = result.GetValue(_carryLora) ?? fromPreset.CarriedLoraSteps,
                    CarriedLoraShare = result.GetValue(_carryShare) ?? fromPreset.CarriedLoraShare,
                    ReinitSteps = result.GetValue(_reinitSteps) ?? fromPreset.ReinitSteps,
                },
            };
        }
        else if (new Option[] { _suppressionEvery, _longFraction, _carryLora, _carryShare, _reinitSteps }.FirstOrDefault(o => result.GetResult(o) is not null) is { } given)
        {
            throw new CliException($"{given.Name} refines the long-horizon rollouts: pass --long-horizon K too");
        }
        if (options.LongHorizon is { CarriedLoraSteps: 0 } && result.GetResult(_carryShare) is not null)
            throw new CliException($"{_carryShare.Name} refines carried LoRA attackers: pass --carry-lora STEPS too (or a preset that carries)");
        return options;
    }

    /// <summary>One line for the run's log, or nothing with the fixed short attacker.</summary>
    public static string Summary(MlacTrainingOptions options)
    {
        static string N(double v) => v.ToString(CultureInfo.InvariantCulture);
        var parts = new List<string>();
        if (options.AttackerMix is { } m)
        {
            var families = m.FamilyWeights.Where(f => f.Weight > 0).Select(f => $"{f.Name}={N(f.Weight)}");
            parts.Add($"realistic attacker: {string.Join(",", families)}; {string.Join(",", m.Optimizers)}; lr {N(m.LearningRateMin)}-{N(m.LearningRateMax)}, " +
                      $"LoRA {N(m.LoraLearningRateMin)}-{N(m.LoraLearningRateMax)} at ranks {string.Join(",", m.LoraRanks)} α/r {string.Join(",", m.LoraAlphasPerRank.Select(N))}, SGD {N(m.SgdLearningRateMin)}-{N(m.SgdLearningRateMax)}; clip {N(m.ClipNorm)}" +
                      (m.ReinitOptimizers is { } ro ? $"; re-initialisation {string.Join(",", ro)}" : "") +
                      (m.ReinitLearningRateMin is { } rmin && m.ReinitLearningRateMax is { } rmax ? $"; re-initialisation lr {N(rmin)}-{N(rmax)}" : "") +
                      (m.FreshHeads ? "; fresh head per rollout" : ""));
        }
        if (options.LongHorizon is { } l)
            parts.Add($"long-horizon first-order rollouts: K = {l.Steps}, suppression every {l.SuppressionEvery}, share {N(l.Fraction)}" +
                      (l.CarriedLoraSteps > 0 ? $"; LoRA attackers carried for {l.CarriedLoraSteps} steps" + (l.CarriedLoraShare < 1 ? $", {N(l.CarriedLoraShare)} of LoRA rollouts" : "") : "") +
                      (l.ReinitSteps > 0 ? $"; re-initialisation rollouts all long, K = {l.ReinitSteps}" : ""));
        return string.Join(" | ", parts);
    }

    private static RealisticAttackerMix ParseFamilies(string text, RealisticAttackerMix mix)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('=', 2, StringSplitOptions.TrimEntries);
            var weight = 1.0;
            if (!RealisticAttackerMix.FamilyNames.Contains(pieces[0])
                || pieces.Length == 2 && !(double.TryParse(pieces[1], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) && double.IsFinite(weight) && weight >= 0))
            {
                throw new CliException($"--attacker-families {text}: expected NAME[=WEIGHT],… with names {string.Join(", ", RealisticAttackerMix.FamilyNames)} and weights ≥ 0, e.g. full=1,lora=2");
            }
            weights[pieces[0]] = weight;
        }
        return mix.WithFamilyWeights(weights);
    }

    private static InnerOptimizerKind[] ParseOptimizers(string text, string option) => text.Split(',', StringSplitOptions.TrimEntries).Select(name => name switch
    {
        "adam" => InnerOptimizerKind.Adam,
        "adamw" => InnerOptimizerKind.AdamW,
        "sgd-momentum" => InnerOptimizerKind.SgdMomentum,
        _ => throw new CliException($"{option} {text}: expected a comma-separated list of adam, adamw, sgd-momentum"),
    }).Distinct().ToArray();

    public static int[] ParsePositiveIntegers(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        return parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
            : throw new CliException($"{option} {text}: expected positive integers separated by commas")).ToArray();
    }

    private static double[] ParsePositiveNumbers(string text, string option) =>
        text.Split(',', StringSplitOptions.TrimEntries).Select(p =>
            double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) && x > 0 ? x
                : throw new CliException($"{option} {text}: expected positive numbers separated by commas, e.g. 1,2,4")).Distinct().ToArray();

    public static (double Min, double Max) ParseRange(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
            && min > 0 && min <= max)
        {
            return (min, max);
        }
        throw new CliException($"{option} {text}: expected MIN,MAX with 0 < MIN ≤ MAX, e.g. 1e-3,5e-3");
    }
}
