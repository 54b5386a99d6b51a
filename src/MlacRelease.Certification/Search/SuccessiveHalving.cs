using MlacRelease.Certification.Batteries;

namespace MlacRelease.Certification.Search;

/// <summary>The rungs of a search: rung r keeps ⌊T / η^r⌋ (at least one) configurations at η^(r − R + 1) of their steps.</summary>
public static class SuccessiveHalving
{
    /// <param name="budgeted">False for attacks without a step budget (the probe): one rung with every trial.</param>
    public static IReadOnlyList<Rung> Plan(SearchSettings search, bool budgeted)
    {
        if (!budgeted) return [new Rung(0, search.Trials, 1.0)];
        var rungs = new List<Rung>();
        for (var r = 0; r < search.Rungs; r++)
        {
            var keep = Math.Max(1, (int)(search.Trials / Math.Pow(search.Eta, r)));
            rungs.Add(new Rung(r, keep, Math.Pow(search.Eta, r - (search.Rungs - 1))));
            if (keep == 1 && r < search.Rungs - 1)
            {
                // Nothing left to halve: go straight to full length with the one survivor.
                rungs.Add(new Rung(r + 1, 1, 1.0));
                break;
            }
        }
        return rungs;
    }

    /// <summary>Steps a configuration of <paramref name="steps"/> steps trains for at a rung.</summary>
    public static int StepsAt(Rung rung, int steps) => Math.Max(1, (int)Math.Round(steps * rung.BudgetFraction, MidpointRounding.AwayFromZero));

    /// <summary>Fine-tuning runs one search makes (all rungs) — the attacker's search budget in runs.</summary>
    public static int RunCount(SearchSettings search, bool budgeted) => Plan(search, budgeted).Sum(r => r.Configurations);
}
