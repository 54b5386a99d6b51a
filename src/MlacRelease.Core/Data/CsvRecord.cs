namespace MlacRelease.Core.Data;

/// <summary>
/// One logical CSV record, or the reason it could not be read. <see cref="StartLine"/> is the physical line
/// where the record begins, which is what a user needs when a quoted field spans several lines.
/// </summary>
/// <param name="ErrorColumn">0-based column the error concerns, when it concerns one.</param>
/// <param name="Fatal">Reading must stop (the line limit was reached).</param>
internal sealed record CsvRecord(long StartLine, IReadOnlyList<string> Fields, string? Error, int? ErrorColumn = null, bool Fatal = false);
