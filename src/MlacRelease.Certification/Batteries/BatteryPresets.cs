namespace MlacRelease.Certification.Batteries;

/// <summary>
/// The built-in batteries (release-checks/batteries/*.yaml, embedded): <c>paper</c> (the published protocol),
/// <c>quick</c> (CI-sized) and <c>standard</c> (the broad battery certification means).
/// </summary>
public static class BatteryPresets
{
    private const string Prefix = "MlacRelease.Certification.Batteries.";

    public static IReadOnlyList<string> Names { get; } = typeof(BatteryPresets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".yaml".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    public static string Text(string name)
    {
        using var stream = typeof(BatteryPresets).Assembly.GetManifestResourceStream(Prefix + name + ".yaml")
            ?? throw new ArgumentException($"no built-in battery '{name}' (built in: {string.Join(", ", Names)})", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static Battery Load(string name) => BatteryParser.Parse(Text(name), $"builtin:{name}");

    /// <summary>A preset name, or a path to a battery file.</summary>
    public static Battery Resolve(string nameOrPath) => Names.Contains(nameOrPath) ? Load(nameOrPath) : BatteryParser.Load(nameOrPath);

    /// <summary>The preset whose content this battery has exactly (same digest), if any: "standard" only counts as
    /// standard when nothing in it was changed.</summary>
    public static string? MatchingPreset(Battery battery)
    {
        var digest = battery.Digest;
        return Names.FirstOrDefault(n => Load(n).Digest == digest);
    }
}
