namespace MlacRelease.Common.Tests;

/// <summary>
/// A test that runs the independent Sigstore verifier under Node. It is reported as skipped, with the reason, only
/// where node or npm is not installed; where they are, a missing package install is a failure (see
/// <see cref="SigstoreJs"/>), so that CI notices.
/// </summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (WhyNot() is { } reason) Skip = "Sigstore JS verification skipped: " + reason;
    }

    public static string? WhyNot()
    {
        var missing = new[] { "node", "npm" }.Where(t => SigstoreJs.Locate(t) is null).ToList();
        return missing.Count > 0 ? $"{string.Join(" and ", missing)} not on PATH (install Node.js 20.17 or later)" : null;
    }
}
