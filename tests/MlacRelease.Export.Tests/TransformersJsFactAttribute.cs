namespace MlacRelease.Export.Tests;

/// <summary>
/// A test that loads a release with transformers.js under Node. Skipped, with the reason, only where node or npm is
/// not installed; where they are, a missing package install fails the test (see <see cref="TransformersJs"/>).
/// </summary>
public sealed class TransformersJsFactAttribute : FactAttribute
{
    public TransformersJsFactAttribute()
    {
        if (NodeTools.WhyNot() is { } reason) Skip = "transformers.js consumer test skipped: " + reason;
    }
}
