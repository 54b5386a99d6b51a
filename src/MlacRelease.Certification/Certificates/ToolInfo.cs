using System.Reflection;

namespace MlacRelease.Certification.Certificates;

/// <summary>The toolkit that produced a certificate.</summary>
public sealed record ToolInfo(string Name, string Version)
{
    public static ToolInfo Current { get; } = new("MlacRelease.Certification",
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ToolInfo).Assembly.GetName().Version?.ToString() ?? "unknown");
}
