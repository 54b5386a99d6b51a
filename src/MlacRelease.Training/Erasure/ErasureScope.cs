namespace MlacRelease.Training.Erasure;

/// <summary>Which word-embedding rows lose the harmful subspace.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ErasureScopeJsonConverter))]
public enum ErasureScope
{
    /// <summary>Only the tokens found to go with the harmful label; every other row is left bit for bit.</summary>
    Associated,

    /// <summary>Every row of the vocabulary, so tokens the defender's data never showed (a rare name) lose it too.</summary>
    Vocabulary,
}

/// <summary>Writes the scope as the command line spells it ("associated", "vocabulary").</summary>
public sealed class ErasureScopeJsonConverter() : System.Text.Json.Serialization.JsonStringEnumConverter<ErasureScope>(System.Text.Json.JsonNamingPolicy.CamelCase);
