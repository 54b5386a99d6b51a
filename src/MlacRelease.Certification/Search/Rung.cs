namespace MlacRelease.Certification.Search;

/// <summary>One rung of successive halving: how many configurations train, at what share of their own steps.</summary>
public sealed record Rung(int Index, int Configurations, double BudgetFraction);
