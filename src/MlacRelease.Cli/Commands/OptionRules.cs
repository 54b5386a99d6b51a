using System.CommandLine;
using System.CommandLine.Parsing;

namespace MlacRelease.Cli.Commands;

/// <summary>
/// Checks every option of a kind obeys, attached to the options themselves by their value type, so that no command
/// declares them one by one and none is left out: a usage error (exit 2) that names the option, before the command runs.
/// </summary>
public static class OptionRules
{
    /// <summary>Attaches the checks to every option of <paramref name="command"/> and its subcommands; call it once per
    /// command tree.</summary>
    public static TCommand Apply<TCommand>(TCommand command) where TCommand : Command
    {
        foreach (var option in command.Options) Attach(option);
        foreach (var subcommand in command.Subcommands) Apply(subcommand);
        return command;
    }

    private static void Attach(Option option)
    {
        if (option.ValueType == typeof(string) || option.ValueType == typeof(string[])) option.Validators.Add(NotBlank);
        else if ((Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType) is { IsEnum: true } type) option.Validators.Add(r => DefinedMember(r, type));
    }

    /// <summary>Text options name files, folders, presets and settings: an empty or blank value names none of them (the
    /// runtime would meet it as a broken contract, not as input).</summary>
    private static void NotBlank(OptionResult result)
    {
        foreach (var token in result.Tokens.Where(t => string.IsNullOrWhiteSpace(t.Value)))
            result.AddError($"{result.Option.Name} '{token.Value}': an empty or blank value; give a file, a folder or a setting");
    }

    /// <summary>System.CommandLine parses any integer into an enum (--pooling 7); the library meets an undefined member
    /// as a bug, not as input.</summary>
    private static void DefinedMember(OptionResult result, Type type)
    {
        foreach (var token in result.Tokens)
        {
            if (Enum.TryParse(type, token.Value, ignoreCase: true, out var value) && !Enum.IsDefined(type, value))
                result.AddError(NoMember(result.Option.Name, token.Value, Enum.GetNames(type)));
        }
    }

    internal static string NoMember(string option, string value, IEnumerable<string> members) => $"{option} {value}: expected one of {string.Join(", ", members)}";
}
