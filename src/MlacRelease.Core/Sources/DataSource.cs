using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;

namespace MlacRelease.Core.Sources;

/// <summary>
/// Where a dataset comes from: a JSONL or CSV file (field names configurable), or "builtin:bios[:COUNT[:SEED]]", the
/// built-in synthetic biography corpus (profession = desired task, gender = harmful task, pronouns neutralised).
/// </summary>
public static class DataSource
{
    public const string Default = "builtin:bios:6000";

    public static Dataset Load(string spec, DatasetSchema schema)
    {
        if (spec.StartsWith("builtin:", StringComparison.Ordinal))
        {
            var parts = spec.Split(':');
            if (parts[1] != "bios" || parts.Length > 4)
                throw new MlacInputException($"--data {spec}: the built-in corpus is 'builtin:bios[:COUNT[:SEED]]'");
            var count = parts.Length > 2 ? ParsePositive(parts[2], spec, "COUNT") : 6000;
            var seed = parts.Length > 3 ? (ulong)ParsePositive(parts[3], spec, "SEED") : 0UL;
            return Dataset.Create(BiosCorpusGenerator.Generate(new BiosCorpusOptions { Count = count, Seed = seed }), spec);
        }
        return DatasetLoader.Load(spec, new DatasetLoadOptions { Schema = schema });
    }

    private static int ParsePositive(string text, string spec, string what) =>
        int.TryParse(text, out var value) && value >= 0 ? value : throw new MlacInputException($"--data {spec}: {what} must be a non-negative integer, got '{text}'");
}
