using MlacRelease.Certification.Data;

namespace MlacRelease.Certification.Certificates;

/// <summary>
/// Everything a reference arm's results (the pretrained encoder's or the random-init twin's) depend on, and nothing
/// about the model under test: the attack code, the reference weights and configuration, the battery, the data and
/// its split, and the numerics. Its canonical digest is the arm's baseline cache key. Every field is taken from a
/// certificate's context, so a verifier recomputes the key from the certificate alone.
/// </summary>
/// <param name="RandomInitSeed">The twin's seed (null for the pretrained arm).</param>
public sealed record BaselineKeyInputs(
    string Schema,
    string AttackCodeVersion,
    TargetRole Target,
    EncoderDescription Reference,
    ulong? RandomInitSeed,
    string BatteryDigest,
    string DatasetDigest,
    string EncodedDigest,
    ulong SplitSeed,
    SplitDescription? SplitFractions,
    int MaxLength,
    NumericsDescription Numerics)
{
    public const string CurrentSchema = "mlac.baseline-key/v1";

    public static BaselineKeyInputs Of(CertificationContext context, TargetRole target, string attackCodeVersion)
    {
        var digest = target switch
        {
            TargetRole.Pretrained => context.References.PretrainedWeightDigest,
            TargetRole.RandomInit => context.References.RandomInitWeightDigest,
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "only the reference arms have baseline keys"),
        };
        // The model's configuration is the references' (the pretrained one must match it; the twin is built from it),
        // but its weight, file and head digests are the model's: replaced by the reference's (the head left out, as the
        // reference arms attack with heads of their own), so the key never names the model.
        var reference = context.Model with { WeightDigest = digest, FileDigest = null, HeadDigest = null };
        var data = context.Data;
        return new BaselineKeyInputs(CurrentSchema, attackCodeVersion, target, reference,
            target == TargetRole.RandomInit ? context.References.RandomInitSeed : null, context.Battery.Digest, data.DatasetDigest,
            data.EncodedDigest, data.SplitSeed, data.SplitFractions, data.MaxLength, context.Numerics);
    }

    /// <summary>"sha256:…" over the canonical JSON of these inputs.</summary>
    public string Key() => CanonicalJson.Digest(this);
}
