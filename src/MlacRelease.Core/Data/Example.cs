namespace MlacRelease.Core.Data;

/// <summary>
/// One labelled text. The desired label is the task the released encoder must stay good at (profession in the
/// Bias in Bios experiment); the harmful label is the task it must resist being adapted to (gender).
/// </summary>
/// <param name="Id">Unique within a dataset; splits sort by it, so it must be stable across file rewrites.</param>
/// <param name="Text">The input text, verbatim as read.</param>
/// <param name="DesiredLabel">Label of the desired task.</param>
/// <param name="HarmfulLabel">Label of the harmful task.</param>
public sealed record Example(string Id, string Text, string DesiredLabel, string HarmfulLabel);
