namespace MlacRelease.Certification.Batteries;

/// <summary>
/// The attacker's hyperparameter search, per attack, data size and target: random search with successive halving
/// (Jamieson and Talwalkar 2016). <see cref="Trials"/> configurations are sampled from the attack's space and trained
/// at 1/η^(R−1) of their steps; the best 1/η go on to the next rung with η times the steps, until the last rung
/// trains at full length. The best configuration of the last rung is then rerun with every battery seed.
/// </summary>
/// <param name="Trials">Configurations sampled (the attacker's search budget).</param>
/// <param name="Eta">η: the reduction factor between rungs.</param>
/// <param name="Rungs">R: number of rungs (1 = plain random search at full length).</param>
public sealed record SearchSettings(int Trials, int Eta, int Rungs)
{
    public const string Method = "random search with successive halving";
}
