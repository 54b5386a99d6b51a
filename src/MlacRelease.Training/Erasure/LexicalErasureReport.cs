using System.Text.Json.Serialization;

namespace MlacRelease.Training.Erasure;

/// <summary>What <see cref="LexicalErasure"/> found and changed; written as erasure.json beside the model.</summary>
public sealed record LexicalErasureReport
{
    public const string CurrentSchema = "mlac.lexical-erasure/v1";
    public const string FileName = "erasure.json";

    [JsonPropertyName("schema")] public string Schema { get; init; } = CurrentSchema;
    [JsonPropertyName("source_weight_digest")] public required string SourceWeightDigest { get; init; }
    [JsonPropertyName("weight_digest")] public string WeightDigest { get; init; } = "";
    [JsonPropertyName("examples")] public required int Examples { get; init; }
    [JsonPropertyName("tokens_tested")] public required int TokensTested { get; init; }
    [JsonPropertyName("tokens")] public required IReadOnlyList<TokenAssociation> Tokens { get; init; }
    [JsonPropertyName("majority_share")] public required double MajorityShare { get; init; }
    /// <summary>Held-out accuracy of a probe on the selected rows after removing r = 0, 1, … directions.</summary>
    [JsonPropertyName("held_out_accuracy_by_rank")] public required IReadOnlyList<double> HeldOutAccuracyByRank { get; init; }
    [JsonPropertyName("rank")] public required int Rank { get; init; }
    [JsonPropertyName("rank_chosen")] public required bool RankChosen { get; init; }
    /// <summary>False when the chosen rank stopped at the largest allowed without reaching the tolerance.</summary>
    [JsonPropertyName("tolerance_met")] public required bool ToleranceMet { get; init; }
    [JsonPropertyName("scope")] public required string Scope { get; init; }
    [JsonPropertyName("rows_changed")] public required int RowsChanged { get; init; }
    [JsonPropertyName("selected_rows_mean_norm")] public required double SelectedRowsMeanNorm { get; init; }
    [JsonPropertyName("selected_rows_mean_change")] public required double SelectedRowsMeanChange { get; init; }
    [JsonPropertyName("options")] public required LexicalErasureOptions Options { get; init; }
}
