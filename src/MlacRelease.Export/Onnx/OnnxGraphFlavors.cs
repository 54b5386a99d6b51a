namespace MlacRelease.Export.Onnx;

/// <summary>The one spelling of each <see cref="OnnxGraphFlavor"/> that users type and reports print (mlac export --flavor,
/// the export benchmark's --models).</summary>
public static class OnnxGraphFlavors
{
    private static readonly (OnnxGraphFlavor Flavor, string Name)[] All =
    [
        (OnnxGraphFlavor.Portable, "portable"),
        (OnnxGraphFlavor.OnnxRuntimeFused, "ort-fused"),
        (OnnxGraphFlavor.Int8, "int8"),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(f => f.Name).ToArray();

    public static string Name(OnnxGraphFlavor flavor) => All.Single(f => f.Flavor == flavor).Name;

    public static bool TryParse(string name, out OnnxGraphFlavor flavor)
    {
        foreach (var (candidate, spelling) in All)
        {
            if (!string.Equals(spelling, name, StringComparison.Ordinal)) continue;
            flavor = candidate;
            return true;
        }
        flavor = default;
        return false;
    }
}
