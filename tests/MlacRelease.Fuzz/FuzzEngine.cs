using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace MlacRelease.Fuzz;

/// <summary>What one fuzz run found.</summary>
internal sealed record FuzzSummary(string Harness, long Executions, int UniqueCrashes, long Crashes, long Hangs, long Unnamed, int Corpus, int Edges,
    bool Instrumented, double Seconds, long PeakRssMegabytes)
{
    public bool Clean => UniqueCrashes == 0 && Hangs == 0;

    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"{Harness,-18} execs {Executions,9} | crashes {UniqueCrashes} unique ({Crashes}) | hangs {Hangs} | typed errors not naming the file {Unnamed} | " +
        $"corpus {Corpus} | edges {Edges} ({(Instrumented ? "instrumented" : "no coverage: plain mutation")}) | {Seconds:F1} s, {Executions / Math.Max(Seconds, 1e-3):F0}/s | peak RSS {PeakRssMegabytes} MB");
}

/// <summary>
/// In-process fuzzing of one harness. Coverage comes from SharpFuzz's instrumentation (its trace calls write AFL's
/// edge bitmap into <see cref="SharpFuzz.Common.Trace.SharedMem"/>, which points at this engine's map): an input that
/// reaches a new edge or a new hit-count bucket joins the corpus. Without instrumentation the map stays empty and the
/// engine mutates the seeds only. Crash: any exception other than the harness's typed errors. Hang: one input running
/// longer than the hang limit; a watchdog saves the input and ends the process if one runs ten times longer.
/// </summary>
internal sealed unsafe class FuzzEngine
{
    private const int MapSize = 1 << 16;
    private const int MaxInputBytes = 1 << 20;
    private const int MaxCorpus = 4096;

    private readonly Harness _harness;
    private readonly Options _options;
    private readonly Random _random;
    private readonly List<byte[]> _corpus = [];
    private readonly byte[] _virgin = new byte[MapSize];
    private readonly HashSet<string> _crashSignatures = [];
    private readonly string _out;
    private string[] _dictionary = [];
    private byte* _map;
    private long _runStarted;
    private byte[] _current = [];

    public FuzzEngine(Harness harness, Options options)
    {
        _harness = harness;
        _options = options;
        _random = new Random(options.Seed);
        _out = options.Out ?? Path.Combine(Path.GetTempPath(), "mlac-fuzz");
    }

    /// <summary>Interesting tokens for text formats: JSON/YAML punctuation, edge numbers, odd strings.</summary>
    private static readonly string[] Dictionary =
    [
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "-1", "0", "1e309", "-1e309", "NaN", "1e-400", "9223372036854775808", "18446744073709551616",
        "2147483648", "-2147483649", "0.0", "1.5", "\"\"", "[]", "{}", "\\u0000", "\\ud800", "\n", "\r\n", "\t", "- ", "&a", "*a", "!!binary", "---", "...", "~",
        ".inf", ".nan", "0x10", "1_000", "<<: ", "? ", "|", ">", "#", "'", "\u00e9", "\uffff", "\u0000",
    ];

    private static IEnumerable<string> Tokens(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data.AsSpan(0, Math.Min(data.Length, 1 << 16)));
        return text.Split((char[])[' ', '\n', '\r', '\t', '"', ',', ':', '{', '}', '[', ']', '(', ')'], StringSplitOptions.RemoveEmptyEntries)
            .Where(t => t.Length is >= 2 and <= 40).Distinct(StringComparer.Ordinal).Take(300);
    }

    public FuzzSummary Run()
    {
        _map = (byte*)NativeMemory.AllocZeroed(MapSize);
        SharpFuzz.Common.Trace.SharedMem = _map;
        // Seeds are built by instrumented code (a tiny encoder's config, say), whose trace calls write into the map:
        // only now that it exists may they run.
        var seeds = _harness.Seeds().ToList();
        _dictionary = Dictionary.Concat(seeds.SelectMany(s => Tokens(s.Data))).Distinct(StringComparer.Ordinal).ToArray();
        var watchdog = new Thread(Watch) { IsBackground = true, Name = "fuzz watchdog" };
        watchdog.Start();
        var clock = Stopwatch.StartNew();
        long executions = 0, crashes = 0, hangs = 0, unnamed = 0;
        var instrumented = false;
        try
        {
            foreach (var (_, data) in seeds.Concat(Seed.Files(Path.Combine("regressions", _harness.Name))).Concat(SavedCorpus()))
            {
                Classify(data, ref crashes, ref hangs, ref unnamed, isSeed: true);
                executions++;
                _corpus.Add(data);
            }
            if (_corpus.Count == 0) _corpus.Add("{}"u8.ToArray());
            instrumented = CountEdges() > 0;
            var limit = _options.Execs ?? long.MaxValue;
            var deadline = _options.Seconds is { } s ? TimeSpan.FromSeconds(s) : TimeSpan.MaxValue;
            if (_options.Execs is null && _options.Seconds is null) limit = 10_000;
            while (executions < limit && clock.Elapsed < deadline)
            {
                var input = Mutate(_corpus[_random.Next(_corpus.Count)]);
                if (Classify(input, ref crashes, ref hangs, ref unnamed, isSeed: false) && _corpus.Count < MaxCorpus)
                {
                    _corpus.Add(input);
                    Save("corpus", input, null);
                }
                executions++;
            }
        }
        finally
        {
            _runStarted = 0;
            SharpFuzz.Common.Trace.SharedMem = null;
        }
        return new FuzzSummary(_harness.Name, executions, _crashSignatures.Count, crashes, hangs, unnamed, _corpus.Count, CountEdges(), instrumented,
            clock.Elapsed.TotalSeconds, PeakRssMegabytes());
    }

    /// <summary>Runs one input once, outside any engine: "ok", "typed: …" or "CRASH: …" (for replays and regressions).</summary>
    public static string Execute(Harness harness, byte[] input)
    {
        try
        {
            harness.Run(input);
            return "ok";
        }
        catch (Exception e) when (harness.IsTypedError(e))
        {
            return $"typed: {e.GetType().Name}: {e.Message}";
        }
        catch (Exception e)
        {
            return $"CRASH: {e}";
        }
    }

    /// <summary>Runs the input; true when it reached new coverage.</summary>
    private bool Classify(byte[] input, ref long crashes, ref long hangs, ref long unnamed, bool isSeed)
    {
        new Span<byte>(_map, MapSize).Clear();
        SharpFuzz.Common.Trace.PrevLocation = 0;
        _current = input;
        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref _runStarted, started);
        try
        {
            _harness.Run(input);
        }
        catch (Exception e) when (_harness.IsTypedError(e))
        {
            if (!e.Message.Contains("fuzz", StringComparison.Ordinal))
            {
                unnamed++;
                Save("unnamed", input, $"{e.GetType().FullName}: {e.Message}");
            }
        }
        catch (Exception e)
        {
            crashes++;
            var signature = $"{e.GetType().FullName} at {TopFrame(e)}";
            if (_crashSignatures.Add(signature))
            {
                Save("crashes", input, $"{signature}\n{e}");
                Console.Error.WriteLine($"{_harness.Name}: CRASH {signature}: {e.Message}");
            }
            if (isSeed) Console.Error.WriteLine($"{_harness.Name}: a seed crashes the loader");
        }
        finally
        {
            Volatile.Write(ref _runStarted, 0);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        // Seeds are real files, run first and cold (their time includes the JIT): only mutants count as hangs.
        if (!isSeed && elapsed.TotalMilliseconds > _options.HangMilliseconds)
        {
            hangs++;
            Save("hangs", input, $"{elapsed.TotalMilliseconds:F0} ms");
        }
        return HasNewCoverage();
    }

    private static string TopFrame(Exception e)
    {
        var frames = new StackTrace(e, false).GetFrames();
        var ours = frames.FirstOrDefault(f => f.GetMethod()?.DeclaringType?.FullName?.StartsWith("MlacRelease.", StringComparison.Ordinal) == true) ?? frames.FirstOrDefault();
        var method = ours?.GetMethod();
        return method is null ? "?" : $"{method.DeclaringType?.FullName}.{method.Name}";
    }

    private bool HasNewCoverage()
    {
        var found = false;
        for (var i = 0; i < MapSize; i++)
        {
            var hits = _map[i];
            if (hits == 0) continue;
            var bucket = Bucket(hits);
            if ((_virgin[i] & bucket) != bucket)
            {
                _virgin[i] |= bucket;
                found = true;
            }
        }
        return found;
    }

    private static byte Bucket(byte hits) => hits switch
    {
        1 => 1, 2 => 2, 3 => 4, <= 7 => 8, <= 15 => 16, <= 31 => 32, <= 127 => 64, _ => 128,
    };

    private int CountEdges() => _virgin.Count(v => v != 0);

    private byte[] Mutate(byte[] parent)
    {
        var data = new List<byte>(parent);
        var rounds = 1 << _random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var position = data.Count == 0 ? 0 : _random.Next(data.Count);
            switch (_random.Next(12))
            {
                case 0 when data.Count > 0: data[position] ^= (byte)(1 << _random.Next(8)); break;
                case 1 when data.Count > 0: data[position] = (byte)_random.Next(256); break;
                case 2 when data.Count > 0: data[position] = Interesting[_random.Next(Interesting.Length)]; break;
                case 3 when data.Count > 0:
                    data.RemoveRange(position, Math.Min(data.Count - position, 1 + _random.Next(Math.Min(64, data.Count)))); break;
                case 4: data.InsertRange(position, RandomBytes(1 + _random.Next(16))); break;
                case 5 or 6: data.InsertRange(position, Encoding.UTF8.GetBytes(_dictionary[_random.Next(_dictionary.Length)])); break;
                case 7 when data.Count > 0:
                {
                    // Replace a run of digits (a number in a text format) with an edge value.
                    var end = position;
                    while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9') end++;
                    data.RemoveRange(position, end - position);
                    data.InsertRange(position, Encoding.UTF8.GetBytes(EdgeNumbers[_random.Next(EdgeNumbers.Length)]));
                    break;
                }
                case 8 when data.Count > 1:
                {
                    var length = 1 + _random.Next(Math.Min(256, data.Count - position));
                    data.InsertRange(_random.Next(data.Count), data.GetRange(position, length));
                    break;
                }
                case 9:
                {
                    var other = _corpus[_random.Next(_corpus.Count)];
                    if (other.Length == 0) break;
                    var start = _random.Next(other.Length);
                    data.InsertRange(position, other.AsSpan(start, Math.Min(other.Length - start, 1 + _random.Next(512))).ToArray());
                    break;
                }
                case 10 when data.Count > 0: data.RemoveRange(position, data.Count - position); break;
                case 11 when data.Count >= 4:
                {
                    // Little-endian integers: safetensors' header length, protobuf varints and lengths.
                    var value = EdgeIntegers[_random.Next(EdgeIntegers.Length)];
                    for (var b = 0; b < 8 && position + b < data.Count; b++) data[position + b] = (byte)(value >> (8 * b));
                    break;
                }
                default: break;
            }
        }
        if (data.Count > MaxInputBytes) data.RemoveRange(MaxInputBytes, data.Count - MaxInputBytes);
        return data.ToArray();
    }

    private static readonly byte[] Interesting = [0, 1, 0x7f, 0x80, 0xff, (byte)'"', (byte)'\\', (byte)'{', (byte)'[', (byte)'\n', (byte)':', (byte)'-', (byte)'0', 0xc3, 0xed];

    private static readonly string[] EdgeNumbers = ["0", "-1", "-0", "1e309", "2147483647", "2147483648", "-2147483648", "4294967296", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "18446744073709551616", "1e-320", "0.1", "65536", "1048577", "99999999999999999999999"];

    private static readonly long[] EdgeIntegers = [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff_ffff, unchecked((long)0x8000_0000), 0xffff_ffff, long.MaxValue, long.MinValue, 1 << 20, 1L << 40];

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private IEnumerable<(string, byte[])> SavedCorpus()
    {
        var folder = Path.Combine(_out, "corpus", _harness.Name);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Take(MaxCorpus / 2).Select(f => (f, File.ReadAllBytes(f))) : [];
    }

    private void Save(string kind, byte[] input, string? note)
    {
        var folder = Path.Combine(_out, kind, _harness.Name);
        Directory.CreateDirectory(folder);
        var name = Convert.ToHexStringLower(SHA256.HashData(input))[..16];
        File.WriteAllBytes(Path.Combine(folder, name + ".bin"), input);
        if (note is not null) File.WriteAllText(Path.Combine(folder, name + ".txt"), note + "\n");
    }

    private void Watch()
    {
        var stuck = TimeSpan.FromMilliseconds(Math.Max(10_000, 10.0 * _options.HangMilliseconds));
        while (true)
        {
            Thread.Sleep(500);
            var started = Volatile.Read(ref _runStarted);
            if (started == 0 || Stopwatch.GetElapsedTime(started) < stuck) continue;
            Save("hangs", _current, $"stuck for more than {stuck.TotalSeconds:F0} s");
            Console.Error.WriteLine($"{_harness.Name}: HANG: one input ran more than {stuck.TotalSeconds:F0} s; saved under {Path.Combine(_out, "hangs", _harness.Name)}");
            Environment.Exit(1);
        }
    }

    private static long PeakRssMegabytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? Process.GetCurrentProcess().PeakWorkingSet64 >> 20 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) >> 10;
        }
        catch (IOException)
        {
            return Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
        }
    }
}
