using MlacRelease.Common.Errors;

namespace MlacRelease.Export.Validation;

/// <summary>An export that does not compute what the encoder computes (wrong outputs, shapes, or values beyond tolerance).</summary>
public sealed class ParityException(string message, ParityReport? report = null) : MlacCheckFailedException(message)
{
    public ParityReport? Report { get; } = report;
}
