namespace MlacRelease.Core.Data;

/// <summary>
/// The split a certification uses. With a recorded split (the model's split.json) it is that one; an explicit seed or
/// fractions must agree with it and the data must be the data it split, or the request is refused. Without a record
/// (a model trained elsewhere) the explicit values, else seed 0 and the paper's fractions. <c>seedOption</c> is the
/// calling command's name for the seed, so the refusal names the option the user actually typed.
/// </summary>
public static class SplitChoice
{
    public static (ulong Seed, SplitFractions Fractions) Resolve(SplitRecord? recorded, string recordPath, ulong? seed, SplitFractions? fractions,
        string datasetDigest, string dataName, string seedOption = "--seed")
    {
        if (recorded is null) return (seed ?? 0, fractions ?? SplitFractions.Paper);
        if (recorded.DatasetDigest != datasetDigest)
            throw new SplitMismatchException($"{recordPath}: field 'dataset_digest': the model was trained on data with digest {recorded.DatasetDigest}, " +
                $"but {dataName} has digest {datasetDigest}; use the data it was trained on");
        if (seed is { } s && s != recorded.Seed)
            throw new SplitMismatchException($"{recordPath}: field 'seed': the model was trained with split seed {recorded.Seed}, but seed {s} was asked for; " +
                $"with another seed, examples the defender trained on can land in the attacker's splits. Omit {seedOption} or pass {seedOption} {recorded.Seed}");
        if (fractions is { } f && f != recorded.Fractions)
            throw new SplitMismatchException($"{recordPath}: field 'fractions': the model was trained with {SplitRecord.Describe(recorded.Seed, recorded.Fractions)}, " +
                $"but {SplitRecord.Describe(recorded.Seed, f)} was asked for");
        return (recorded.Seed, recorded.Fractions);
    }
}
