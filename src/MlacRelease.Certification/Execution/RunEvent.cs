namespace MlacRelease.Certification.Execution;

/// <summary>A run finished (<see cref="Resumed"/>: found on disk) inside a unit.</summary>
internal readonly record struct RunEvent(WorkUnit Unit, string Run, bool Resumed);
