using System.Text.Json.Serialization;

namespace MlacRelease.Training.Erasure;

/// <summary>One vocabulary token whose presence in an example goes with the harmful label.</summary>
/// <param name="TokenId">Its id in the vocabulary.</param>
/// <param name="Token">Its wordpiece.</param>
/// <param name="Counts">Per harmful class, the defender's examples that contain it.</param>
/// <param name="ChiSquare">Pearson's statistic of <paramref name="Counts"/> against the classes' shares.</param>
/// <param name="PValue">Its upper-tail probability (C − 1 degrees of freedom).</param>
/// <param name="Class">The class it is over-represented in most (observed over expected), its label for the erasure.</param>
public sealed record TokenAssociation(
    [property: JsonPropertyName("token_id")] int TokenId,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("counts")] IReadOnlyList<int> Counts,
    [property: JsonPropertyName("chi_square")] double ChiSquare,
    [property: JsonPropertyName("p_value")] double PValue,
    [property: JsonPropertyName("class")] int Class);
