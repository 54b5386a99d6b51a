namespace MlacRelease.Certification.Attacks;

/// <summary>Low-rank adaptation: each targeted weight W becomes W + (Alpha / Rank) · B · A.</summary>
/// <param name="Rank">r: inner dimension of A [r, in] and B [out, r].</param>
/// <param name="Alpha">α: the scale numerator (the update's scale is α / r, as in the LoRA paper and PEFT).</param>
/// <param name="Targets">Projections adapted in every layer: query, key, value, attention_output, intermediate, output.</param>
public sealed record LoraSettings(int Rank, double Alpha, IReadOnlyList<LoraTarget> Targets);
