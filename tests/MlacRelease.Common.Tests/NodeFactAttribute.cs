using MlacRelease.Tests.Shared;

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
        if (NodeTools.WhyNot() is { } reason) Skip = "Sigstore JS verification skipped: " + reason;
    }
}
