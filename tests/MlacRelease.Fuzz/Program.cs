using System.Globalization;
using MlacRelease.Fuzz;

// mlac-fuzz: fuzz the toolkit's loaders.
//   list                                   the harnesses
//   run HARNESS [--execs N] [--seconds S] [--seed N] [--out DIR] [--hang-ms MS]
//                                          in-process fuzzing: coverage-guided when the loader assemblies are
//                                          instrumented with SharpFuzz (release-checks/fuzz.sh does that), plain
//                                          mutation otherwise (the CI smoke)
//   smoke [--execs N]                      every harness for N mutations (default 300), exit 1 on any crash
//   replay HARNESS FILE...                 run saved inputs (crashes, regressions) once each
//   afl HARNESS                            the AFL++ persistent target (SharpFuzz.Fuzzer.OutOfProcess)
//   tiny-model DIR                         a 1-layer, 16-wide random encoder with the built-in vocabulary (for the crash drills)
// Exit: 0 clean, 1 a crash or hang was found, 2 usage error.
if (args.Length == 0) return Usage();
try
{
    var options = Options.Parse(args.Skip(1).ToArray());
    switch (args[0])
    {
        case "list":
            foreach (var h in Harnesses.All) Console.WriteLine($"{h.Name,-18} {h.Description}");
            return 0;
        case "run":
        {
            var summary = new FuzzEngine(Harnesses.Get(options.Positional(0)), options).Run();
            Console.WriteLine(summary.Line());
            return summary.Clean ? 0 : 1;
        }
        case "smoke":
        {
            var clean = true;
            foreach (var h in Harnesses.All)
            {
                var summary = new FuzzEngine(h, options with { Execs = options.ExecsOr(300) }).Run();
                Console.WriteLine(summary.Line());
                clean &= summary.Clean;
            }
            return clean ? 0 : 1;
        }
        case "replay":
        {
            var harness = Harnesses.Get(options.Positional(0));
            var clean = true;
            foreach (var file in options.PositionalFrom(1))
            {
                var outcome = FuzzEngine.Execute(harness, File.ReadAllBytes(file));
                Console.WriteLine($"{file}: {outcome}");
                clean &= outcome.StartsWith("ok", StringComparison.Ordinal) || outcome.StartsWith("typed", StringComparison.Ordinal);
            }
            return clean ? 0 : 1;
        }
        case "afl":
        {
            var harness = Harnesses.Get(options.Positional(0));
            SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                try
                {
                    harness.Run(buffer.ToArray());
                }
                catch (Exception e) when (harness.IsTypedError(e))
                {
                }
            });
            return 0;
        }
        case "tiny-model":
        {
            using var weights = MlacRelease.Core.Model.EncoderWeights.RandomInit(new MlacRelease.Core.Model.EncoderConfig
            {
                HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 64,
            }, seed: 9);
            MlacRelease.Core.Weights.HuggingFaceDirectory.Save(options.Positional(0), weights, MlacRelease.Core.Builtin.BuiltinModel.ReadVocabulary());
            return 0;
        }
        default:
            return Usage();
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: mlac-fuzz list | run HARNESS [--execs N] [--seconds S] [--seed N] [--out DIR] [--hang-ms MS] | smoke [--execs N] | replay HARNESS FILE... | afl HARNESS");
    return 2;
}

/// <summary>Command-line options of the fuzz tool.</summary>
internal sealed record Options(IReadOnlyList<string> Arguments, long? Execs, double? Seconds, int Seed, string? Out, int HangMilliseconds)
{
    public long ExecsOr(long value) => Execs ?? value;

    public string Positional(int index) => index < Arguments.Count ? Arguments[index] : throw new UsageException($"missing argument {index + 1}");

    public IEnumerable<string> PositionalFrom(int index) => Arguments.Skip(index);

    public static Options Parse(string[] args)
    {
        var positional = new List<string>();
        var o = new Options(positional, null, null, 1, null, 1000);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]}: missing value");
            o = args[i] switch
            {
                "--execs" => o with { Execs = long.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seconds" => o with { Seconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seed" => o with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--out" => o with { Out = Value() },
                "--hang-ms" => o with { HangMilliseconds = int.Parse(Value(), CultureInfo.InvariantCulture) },
                var a when a.StartsWith("--", StringComparison.Ordinal) => throw new UsageException($"unknown option {a}"),
                var a => Add(o, a),
            };
        }
        return o;

        Options Add(Options current, string value)
        {
            positional.Add(value);
            return current;
        }
    }
}
