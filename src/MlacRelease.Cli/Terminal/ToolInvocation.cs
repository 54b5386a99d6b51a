namespace MlacRelease.Cli.Terminal;

/// <summary>How to start this same tool again: its apphost, or "dotnet mlac.dll" when it was started that way.</summary>
public static class ToolInvocation
{
    /// <summary>The program and the arguments that come before the tool's own (the assembly, under "dotnet").</summary>
    public static string[] Command()
    {
        var process = Environment.ProcessPath ?? throw new CliException("cannot tell how this tool was started; pass --mlac-command");
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, typeof(ToolInvocation).Assembly.Location] : [process];
    }
}
