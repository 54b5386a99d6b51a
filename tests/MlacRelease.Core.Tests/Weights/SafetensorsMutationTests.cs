using System.Buffers.Binary;
using MlacRelease.Core.Weights;

namespace MlacRelease.Core.Tests.Weights;

/// <summary>
/// Seeded fuzzing: thousands of corrupted variants of a valid file must each either read cleanly or fail with
/// <see cref="SafetensorsFormatException"/>; any other exception is a parser bug a hostile file could trigger.
/// </summary>
public class SafetensorsMutationTests
{
    private const int Mutations = 2000;

    private static readonly byte[] SteeringBytes = [.. "{}[]\",:-.e019 \\u"u8, 0x00, 0xFF];

    [Fact]
    public void Every_mutation_reads_or_fails_with_the_format_exception_only()
    {
        byte[] valid = SafetensorsWriter.WriteToArray(SafetensorsBytes.SampleTensors(), SafetensorsBytes.SampleMetadata());
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        var random = new Random(0x5AFE);
        var failures = new List<string>();
        int accepted = 0, rejected = 0;

        for (int i = 0; i < Mutations; i++)
        {
            (byte[] mutated, string how) = Mutate(valid, headerEnd, random);
            foreach ((string path, Func<SafetensorsFile> read) in Readers(mutated))
            {
                try
                {
                    SafetensorsFile file = read();
                    accepted++;

                    // Whatever the reader accepts must be usable: digestible, and rewritable to a file that reads back the same.
                    string digest = WeightDigest.Compute(file.Tensors);
                    byte[] rewritten = SafetensorsWriter.WriteToArray(file.Tensors, file.Metadata);
                    if (WeightDigest.Compute(SafetensorsReader.Read(rewritten).Tensors) != digest)
                    {
                        failures.Add($"#{i} {how} via {path}: accepted file does not survive a rewrite");
                    }
                }
                catch (SafetensorsFormatException)
                {
                    rejected++;
                }
                catch (Exception ex)
                {
                    failures.Add($"#{i} {how} via {path}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }

        failures.Should().BeEmpty();
        rejected.Should().BeGreaterThan(Mutations, "most corruptions must be caught");
        accepted.Should().BeGreaterThan(0, "flips inside tensor data and metadata strings leave a valid file");
    }

    private static IEnumerable<(string, Func<SafetensorsFile>)> Readers(byte[] bytes)
    {
        yield return ("memory", () => SafetensorsReader.Read(bytes, sourceName: "fuzz"));
        yield return ("pipe", () =>
        {
            using var pipe = new ForwardOnlyStream(bytes, maxChunk: 64);
            return SafetensorsReader.Read(pipe, sourceName: "fuzz");
        });
    }

    private static (byte[] Bytes, string How) Mutate(byte[] valid, int headerEnd, Random random)
    {
        byte[] b = (byte[])valid.Clone();

        // Bias positions toward the header: that is where the parser's decisions are.
        int Position(int length) => random.Next(4) == 0 || headerEnd >= length ? random.Next(length) : random.Next(Math.Min(headerEnd, length));

        // Bytes that steer a JSON parser into its rarer paths.
        byte Interesting() => random.Next(3) == 0
            ? (byte)random.Next(256)
            : SteeringBytes[random.Next(SteeringBytes.Length)];

        switch (random.Next(7))
        {
            case 0:
            {
                int flips = 1 + random.Next(4);
                var at = new List<int>();
                for (int k = 0; k < flips; k++)
                {
                    int p = Position(b.Length);
                    b[p] ^= (byte)(1 << random.Next(8));
                    at.Add(p);
                }

                return (b, $"bit flips at {string.Join(',', at)}");
            }

            case 1:
            {
                int p = Position(b.Length);
                byte value = Interesting();
                b[p] = value;
                return (b, $"byte {p} = 0x{value:X2}");
            }

            case 2:
            {
                int keep = random.Next(b.Length);
                return (b[..keep], $"truncated to {keep}");
            }

            case 3:
            {
                int p = Position(b.Length + 1);
                byte[] insert = [.. Enumerable.Range(0, 1 + random.Next(8)).Select(_ => Interesting())];
                return ([.. b[..p], .. insert, .. b[p..]], $"inserted {insert.Length} at {p}");
            }

            case 4:
            {
                int p = Position(b.Length);
                int n = 1 + random.Next(Math.Min(16, b.Length - p));
                return ([.. b[..p], .. b[(p + n)..]], $"deleted {n} at {p}");
            }

            case 5:
            {
                ulong[] lengths = [0, 1, 7, (ulong)(headerEnd - 9), (ulong)(headerEnd - 7), (ulong)b.Length, 100_000_001, 1UL << 40, long.MaxValue, ulong.MaxValue, (ulong)random.NextInt64()];
                ulong claimed = lengths[random.Next(lengths.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(b, claimed);
                return (b, $"header length {claimed}");
            }

            default:
            {
                // Swap two header bytes: often keeps the JSON well-formed while moving digits of offsets and dims.
                int p = Position(headerEnd);
                int q = Position(headerEnd);
                (b[p], b[q]) = (b[q], b[p]);
                return (b, $"swapped {p} and {q}");
            }
        }
    }
}
