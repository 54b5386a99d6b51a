using System.CommandLine;
using MlacRelease.Certification.Certificates;
using MlacRelease.Certification.Execution;
using MlacRelease.Certification.Reports;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.IO;
using MlacRelease.Common.Text;

namespace MlacRelease.Cli.Commands;

/// <summary><c>mlac report</c>: a certificate's report written again from the certificate alone.</summary>
public static class ReportCommand
{
    /// <summary>A `standard` certificate (4,371 runs with their curves) is a few MB; a file far larger is not a certificate.</summary>
    public const long MaxCertificateBytes = 64L << 20;

    public static Command Create()
    {
        var certificate = new Option<string>("--certificate") { Description = "certificate.json, as mlac certify, merge or select wrote it", Required = true };
        var output = new Option<string?>("--out") { Description = $"Folder for report.md and its plots [default: {Certifier.ReportFolderName}/ beside the certificate]" };
        var json = SharedOptions.Json();
        var command = new Command("report", """
            Write a certificate's report again: report.md (worst case, per-attack tables with each blocking score's
            approximate standard error, retention, examples to reach each accuracy) and its PNG plots, from the
            certificate alone. For a certificate written before the report changed, or received without its report.
            The certificate is verified first (canonical form, integrity digest, identity, and every derived number
            recomputed from its runs); one that fails is not reported on (exit 1).

            Example:
              mlac report --certificate cert/certificate.json                 # rewrites cert/report/
              mlac report --certificate received.json --out received-report/
            """) { certificate, output, json };
        command.SetAction((result, cancellation) => CommandRunner.RunAsync(_ =>
        {
            var path = result.GetValue(certificate)!;
            var verification = CertificateVerifier.Verify(BoundedFile.ReadAllBytes(path, MaxCertificateBytes, "certificate"), path);
            var mode = new OutputMode(result.GetValue(json), NoProgress: true);
            if (!verification.Valid)
            {
                foreach (var failure in verification.Failures) mode.Info($"{path}: {failure.Name} failed: {PrintableText.OneLine(failure.Detail)}");
                if (mode.Json) OutputMode.WriteJson(new { passed = false, failures = verification.Failures });
                return Task.FromResult(ExitCodes.CheckFailed);
            }
            var folder = result.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Certifier.ReportFolderName);
            var report = ReportWriter.Write(verification.Certificate!, folder);
            if (mode.Json) OutputMode.WriteJson(new { passed = true, report });
            else mode.Info($"report {report} (certificate verified: {verification.Checks.Count} checks)");
            return Task.FromResult(ExitCodes.Success);
        }, cancellation));
        return command;
    }
}
