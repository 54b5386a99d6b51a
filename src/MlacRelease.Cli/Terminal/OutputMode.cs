namespace MlacRelease.Cli.Terminal;

/// <summary>How a command talks: live progress on a terminal, plain log lines otherwise, or one JSON document.</summary>
public sealed record OutputMode(bool Json, bool NoProgress)
{
    /// <summary>Progress bars only on an interactive terminal; CI logs get one plain line per event.</summary>
    public bool Live => !Json && !NoProgress && !System.Console.IsOutputRedirected && !System.Console.IsErrorRedirected;

    public void Info(string line)
    {
        if (Json) System.Console.Error.WriteLine(line);
        else System.Console.WriteLine(line);
    }

    public static void WriteJson(object value) =>
        System.Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
}
