using MlacRelease.Certification.Certificates;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Written last, atomically, when a shard has finished every unit it was given: its presence means "complete". It
/// carries the whole context so a merge needs nothing but the shard folders.
/// </summary>
public sealed record ShardManifest(string Schema, string Identity, int Shard, int ShardCount, CertificationContext Context, IReadOnlyList<string> Units)
{
    public const string CurrentSchema = "mlac.shard/v1";
    public const string FileName = "shard-manifest.json";
}
