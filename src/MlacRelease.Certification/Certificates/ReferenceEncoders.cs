namespace MlacRelease.Certification.Certificates;

/// <summary>The two references every battery also runs against.</summary>
/// <param name="PretrainedWeightDigest">The pretrained encoder the model was made from.</param>
/// <param name="RandomInitWeightDigest">The random-init twin (same configuration, Hugging Face initialisation).</param>
/// <param name="RandomInitSeed">The twin's seed (derived from the battery seed), so anyone can rebuild it.</param>
public sealed record ReferenceEncoders(string PretrainedWeightDigest, string RandomInitWeightDigest, ulong RandomInitSeed);
