using MlacRelease.Cli.Terminal;
using MlacRelease.Common.Errors;

namespace MlacRelease.Cli.Tests;

/// <summary>
/// The exit code follows the exception's type alone: the toolkit's input errors are exit 2, a failed check exit 1, and an
/// <see cref="ArgumentException"/> (a broken method contract, a bug) exit 3, however much its message reads like input.
/// </summary>
public sealed class CommandRunnerTests
{
    [Fact]
    public void An_input_exception_is_the_input_error_exit_code_whatever_its_message()
    {
        Run(new MlacInputException("anything at all")).Should().Be(ExitCodes.InputError);
        Run(new MlacInputException("--steps must be positive")).Should().Be(ExitCodes.InputError);
        Run(new RunFolderMismatchException("this folder holds another run")).Should().Be(ExitCodes.InputError);
    }

    [Fact]
    public void An_argument_exception_is_a_runtime_failure_whatever_its_message()
    {
        Run(new ArgumentException("--steps must be positive")).Should().Be(ExitCodes.RuntimeFailure);
        Run(new ArgumentOutOfRangeException("count", "--workers must be at least 1")).Should().Be(ExitCodes.RuntimeFailure);
        Run(new ArgumentNullException("options")).Should().Be(ExitCodes.RuntimeFailure);
    }

    [Fact]
    public void A_failed_check_is_the_check_failed_exit_code()
    {
        Run(new MlacCheckFailedException("shard 2/4 is missing")).Should().Be(ExitCodes.CheckFailed);
    }

    /// <summary>Runs a body that throws <paramref name="thrown"/> through <see cref="CommandRunner"/>, stderr captured
    /// (the assembly runs one test at a time: see AssemblySettings.cs).</summary>
    private static int Run(Exception thrown)
    {
        var stderr = System.Console.Error;
        using var error = new StringWriter();
        System.Console.SetError(error);
        try
        {
            return CommandRunner.RunAsync(_ => Task.FromException<int>(thrown), CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            System.Console.SetError(stderr);
        }
    }
}
