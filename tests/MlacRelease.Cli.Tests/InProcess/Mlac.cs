namespace MlacRelease.Cli.Tests.InProcess;

/// <summary>What one in-process <c>mlac</c> command line did: its exit code and everything it printed.</summary>
public sealed record MlacResult(string[] Arguments, int Code, string Out, string Error)
{
    public string All => Out + Error;

    public override string ToString() => $"mlac {string.Join(' ', Arguments)} → {Code}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs <c>mlac</c> command lines in this process through <see cref="MlacCommandLine.RunAsync"/>, the executable's own
/// entry point, with stdout and stderr captured (the test assembly runs one test at a time: see AssemblySettings.cs).
/// </summary>
public static class Mlac
{
    public static MlacResult Run(params string[] arguments) => Run(CancellationToken.None, arguments);

    public static MlacResult Run(CancellationToken cancellation, params string[] arguments)
    {
        var (stdout, stderr) = (System.Console.Out, System.Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        System.Console.SetOut(output);
        System.Console.SetError(error);
        int code;
        try
        {
            code = MlacCommandLine.RunAsync(arguments, cancellation).GetAwaiter().GetResult();
        }
        finally
        {
            System.Console.SetOut(stdout);
            System.Console.SetError(stderr);
        }
        return new MlacResult(arguments, code, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts the exit code, showing the whole output when it differs.</summary>
    public static MlacResult Expect(int code, params string[] arguments)
    {
        var result = Run(arguments);
        result.Code.Should().Be(code, result.ToString());
        return result;
    }
}
