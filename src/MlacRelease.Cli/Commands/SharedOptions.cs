using System.CommandLine;
using System.CommandLine.Parsing;
using MlacRelease.Cli.Terminal;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;

namespace MlacRelease.Cli.Commands;

/// <summary>Options several commands share, so they are spelled and explained the same everywhere.</summary>
public static class SharedOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one machine-readable JSON document on stdout (logs go to stderr)" };

    public static Option<bool> NoProgress() => new("--no-progress") { Description = "Plain log lines instead of live progress bars (automatic when output is not a terminal)" };

    public static Option<string> Device() => new("--device") { Description = "auto | cpu | cuda | cuda:N", DefaultValueFactory = _ => "auto" };

    public static Option<ulong> Seed() => new("--seed") { Description = "Seed for every random choice (CPU runs are deterministic by seed)", DefaultValueFactory = _ => 0UL };

    public static Option<string> Model(string defaultValue) => new("--model")
    {
        Description = "builtin:minilm[:LAYERS], a Hugging Face folder (config.json, model.safetensors, vocab.txt), its model.safetensors, or an .onnx BERT graph",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string> Data(string defaultValue) => new("--data")
    {
        Description = "Dataset: a .jsonl or .csv file (one example per line: text, desired label, harmful label) or builtin:bios[:COUNT[:SEED]]",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The value of --baseline-cache that asks for no shared cache.</summary>
    public const string NoBaselineCache = "none";

    /// <summary>--baseline-cache, as mlac certify and mlac select share it; <paramref name="whenNone"/> says what
    /// '<see cref="NoBaselineCache"/>' does in that command.</summary>
    public static Option<string> BaselineCache(string whenNone) => new("--baseline-cache")
    {
        Description = "Folder of reusable pretrained and random-init results, keyed by battery, data, split, reference weights and attack code, " +
                      $"shared by mlac certify and mlac select (default: $XDG_CACHE_HOME/mlac/baselines or ~/.cache/mlac/baselines; '{NoBaselineCache}' {whenNone})",
        DefaultValueFactory = _ => Certification.Execution.BaselineCache.DefaultFolder(),
    };

    /// <summary>The folder --baseline-cache names, or null for '<see cref="NoBaselineCache"/>'.</summary>
    public static string? BaselineCacheFolder(ParseResult result, Option<string> option) =>
        result.GetValue(option) is { } folder && folder != NoBaselineCache ? folder : null;

    public static Option<string> TextField() => new("--text-field") { Description = "Field/column holding the text", DefaultValueFactory = _ => "text" };

    public static Option<string> DesiredField() => new("--desired-field") { Description = "Field/column holding the desired-task label", DefaultValueFactory = _ => "desired" };

    public static Option<string> HarmfulField() => new("--harmful-field") { Description = "Field/column holding the harmful-task label", DefaultValueFactory = _ => "harmful" };

    /// <summary>An option's <c>CustomParser</c> that hands its value to the library's <paramref name="parse"/>: the
    /// <see cref="MlacInputException"/> it throws for a malformed value becomes a usage error (exit 2) naming the option.</summary>
    public static T? Parsed<T>(ArgumentResult result, Func<string, T> parse) where T : class
    {
        if (result.Tokens is not [var token]) return null;
        try
        {
            return parse(token.Value);
        }
        catch (MlacInputException e)
        {
            result.AddError($"{(result.Parent is OptionResult o ? o.Option.Name : result.Argument.Name)}: {e.Message}");
            return null;
        }
    }

    public static DatasetSchema Schema(ParseResult result, Option<string> text, Option<string> desired, Option<string> harmful) =>
        DatasetSchema.Default with { Text = result.GetValue(text)!, Desired = result.GetValue(desired)!, Harmful = result.GetValue(harmful)! };
}
