using System.CommandLine;

namespace MlacRelease.Cli.Tests;

/// <summary>
/// The checks <see cref="Commands.OptionRules"/> attaches by value type reach every option of the <c>mlac</c> tree,
/// whichever command declares it: each option is parsed alone with a bad value and must be refused, naming it.
/// </summary>
public sealed class OptionRulesTests
{
    [Fact]
    public void Every_enum_option_refuses_a_number_that_names_no_member()
    {
        var checkedOptions = Options(o => (Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType).IsEnum, "999");
        checkedOptions.Should().Contain(["embed --pooling", "train --inner-optimizer"]);
    }

    [Fact]
    public void Every_text_option_refuses_an_empty_or_blank_value()
    {
        var checkedOptions = Options(o => o.ValueType == typeof(string) || o.ValueType == typeof(string[]), " ");
        checkedOptions.Should().Contain(["train --out", "certify --data", "export --out", "sign --key", "slurm submit --out", "gate --public-key"]);
    }

    /// <summary>Parses each option the filter picks on its own command line with <paramref name="value"/>, asserts an error
    /// that names it and quotes the value, and returns "command option" for each.</summary>
    private static List<string> Options(Func<Option, bool> pick, string value)
    {
        var root = MlacCommandLine.Create();
        var seen = new List<string>();
        foreach (var (path, option) in Walk(root, []).Where(p => pick(p.Option)))
        {
            var line = $"{string.Join(' ', path)} {option.Name}";
            var errors = root.Parse([.. path, option.Name, value]).Errors.Select(e => e.Message).ToList();
            errors.Should().Contain(e => e.StartsWith($"{option.Name} {(value.Trim().Length == 0 ? $"'{value}'" : value)}:", StringComparison.Ordinal), line);
            seen.Add(line);
        }
        return seen;
    }

    private static IEnumerable<(string[] Path, Option Option)> Walk(Command command, string[] path)
    {
        foreach (var option in command.Options) yield return (path, option);
        foreach (var subcommand in command.Subcommands)
        {
            foreach (var found in Walk(subcommand, [.. path, subcommand.Name])) yield return found;
        }
    }
}
