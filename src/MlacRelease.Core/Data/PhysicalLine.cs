namespace MlacRelease.Core.Data;

/// <summary>Outcome of reading one physical line.</summary>
internal enum PhysicalLineStatus
{
    Ok,
    TooLong,
    InvalidUtf8,
}

/// <summary>A physical line of a dataset file, without its terminator; Text is null unless Status is Ok.</summary>
internal readonly record struct PhysicalLine(long Number, string? Text, PhysicalLineStatus Status);
