namespace MlacRelease.Certification.Batteries;

/// <summary>Where a value came from in a YAML file, so checks that need more than the file (e.g. n against the
/// dataset's split) can still point at the line.</summary>
public sealed record SourceLocation(string File, int Line, int Column, string Field)
{
    public static SourceLocation None { get; } = new("<code>", 0, 0, "");

    public StrictYamlException Error(string problem) => new(File, Line, Column, Field, problem);
}
