namespace MlacRelease.Gate;

/// <summary>One line of the gate's table: what was checked, whether it held, and the value measured.</summary>
public sealed record GateCheck(string Name, bool Passed, string Detail);
