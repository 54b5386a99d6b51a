using System.Text.Json.Serialization;
using MlacRelease.Certification.Metrics;
using MlacRelease.Certification.Policies;
using MlacRelease.Certification.Search;

namespace MlacRelease.Certification.Certificates;

/// <summary>
/// The certificate: bound to the model's weight digest, the data, the battery and the toolkit; every attack run's
/// curve (search and seed reruns, model and both references), the retention runs, the summary, the worst case and
/// the verdict against the policy it was run with. Written in <see cref="CanonicalJson"/> with an integrity digest.
/// </summary>
public sealed record Certificate
{
    /// <summary>v2: search runs carry no test scores (null), seed reruns do. v1 certificates (every run scored) are
    /// still read.</summary>
    public const string CurrentSchema = "mlac.certificate/v2";

    public static readonly IReadOnlyList<string> ReadableSchemas = ["mlac.certificate/v1", CurrentSchema];

    public required string Schema { get; init; }

    public required CertificationContext Context { get; init; }

    /// <summary>The digest of <see cref="Context"/>.</summary>
    public required string Identity { get; init; }

    public required SearchDescription Search { get; init; }

    public required IReadOnlyList<AttackUnitResult> Attacks { get; init; }

    public required IReadOnlyList<RetentionResult> Retention { get; init; }

    public required CertificateSummary Summary { get; init; }

    public required WorstCase WorstCase { get; init; }

    /// <summary>Null when certified without a policy.</summary>
    public required Verdict? Verdict { get; init; }

    public required CertificateIntegrity? Integrity { get; init; }

    /// <summary>Where the reference arms' results came from (see <see cref="BaselineProvenance"/>); outside the
    /// integrity digest. Left out of the JSON when null (certificates made before baseline caching).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BaselineProvenance? Provenance { get; init; }
}
