using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Reports;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// The whole certification on one machine: every unit (in parallel worker threads), then the certificate
/// (certificate.json) and the report (report/report.md with plots). Resumable: rerun with the same request and
/// output folder after a crash and finished runs are reused. Equivalent to shard 1/1 followed by a merge, and
/// implemented exactly so.
/// </summary>
public static class Certifier
{
    public const string CertificateFileName = Common.Release.ReleaseFileNames.Certificate;
    public const string ReportFolderName = "report";

    public static async Task<CertificationResult> RunAsync(CertificationRequest request, IProgress<CertificationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var shard = await ShardRunner.RunAsync(request, ShardSpec.Whole, progress, cancellation).ConfigureAwait(false);
        var certificate = ShardMerger.MergeShards([shard.Folder]);
        return Write(certificate, request.OutputDirectory, request.WriteReport, shard.ComputedRuns, shard.ResumedRuns, shard.Elapsed) with
        {
            CachedUnits = shard.CachedUnits,
        };
    }

    internal static CertificationResult Write(Certificate certificate, string outputDirectory, bool writeReport, int computed, int resumed, TimeSpan elapsed)
    {
        var path = Path.Combine(Path.GetFullPath(outputDirectory), CertificateFileName);
        CertificateSerializer.Write(certificate, path);
        string? report = null;
        if (writeReport) report = ReportWriter.Write(certificate, Path.Combine(Path.GetDirectoryName(path)!, ReportFolderName));
        return new CertificationResult(certificate, path, report, computed, resumed, elapsed);
    }
}
