namespace MlacRelease.Certification.Attacks;

/// <summary>Learning-rate schedules over a run of T steps with W = round(warmup fraction · T) warm-up steps.</summary>
public enum ScheduleKind
{
    /// <summary>The base rate at every step.</summary>
    Constant,

    /// <summary>Linear rise over W steps, then linear decay to zero at T (Hugging Face's default for BERT fine-tuning).</summary>
    LinearWarmup,

    /// <summary>Linear rise over W steps, then half a cosine down to zero at T.</summary>
    Cosine,
}
