namespace MlacRelease.Training.Objective;

/// <summary>
/// The λ weights of the outer objective:
/// λ_good·CE_desired(θ) − λ_bad·mean_k CE_harmful(θ_k) + λ_grad·mean_k ‖∇inner‖ − λ_lin·mean_k CE(z_k·W*_k) + λ_distill·MSE(h_θ, h_original).
/// Defaults are the paper's reported MLAC configuration.
/// </summary>
public sealed record MlacLossWeights
{
    public double Good { get; init; } = 1;
    public double Bad { get; init; }
    public double GradientPenalty { get; init; }
    public double HeadAdjustment { get; init; } = 1;
    public double Distillation { get; init; }

    public MlacLossWeights Validate()
    {
        foreach (var (name, value) in new[] { ("good", Good), ("bad", Bad), ("grad", GradientPenalty), ("lin", HeadAdjustment), ("distill", Distillation) })
        {
            if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(name, $"loss weight λ_{name} must be finite and ≥ 0, got {value}");
        }
        return this;
    }
}
