using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Data;

/// <summary>
/// A validated, immutable set of examples with its label vocabularies and a content digest.
/// </summary>
public sealed class Dataset
{
    private const string DigestDomain = "mlac-dataset-v1\n";

    private Dataset(
        string? source,
        IReadOnlyList<Example> examples,
        IReadOnlyList<string> desiredLabels,
        IReadOnlyList<string> harmfulLabels,
        string digest)
    {
        Source = source;
        Examples = examples;
        DesiredLabels = desiredLabels;
        HarmfulLabels = harmfulLabels;
        DesiredLabelIndex = IndexOf(desiredLabels);
        HarmfulLabelIndex = IndexOf(harmfulLabels);
        Digest = digest;
    }

    /// <summary>Where the examples came from (a file path), if anywhere.</summary>
    public string? Source { get; }

    /// <summary>The examples in source order.</summary>
    public IReadOnlyList<Example> Examples { get; }

    public int Count => Examples.Count;

    /// <summary>Distinct desired labels, sorted ordinally so class indices do not depend on culture or file order.</summary>
    public IReadOnlyList<string> DesiredLabels { get; }

    /// <summary>Distinct harmful labels, sorted ordinally.</summary>
    public IReadOnlyList<string> HarmfulLabels { get; }

    public IReadOnlyDictionary<string, int> DesiredLabelIndex { get; }

    public IReadOnlyDictionary<string, int> HarmfulLabelIndex { get; }

    /// <summary>
    /// <c>sha256:&lt;hex&gt;</c> over a canonical encoding of the examples (see <see cref="ComputeDigest"/>): the
    /// same rows give the same digest whether stored as JSONL or CSV, with any field order or whitespace.
    /// </summary>
    public string Digest { get; }

    public int DesiredIndexOf(Example example) => DesiredLabelIndex[example.DesiredLabel];

    public int HarmfulIndexOf(Example example) => HarmfulLabelIndex[example.HarmfulLabel];

    /// <summary>
    /// Builds a dataset from examples already in memory (e.g. the built-in corpus). Throws
    /// <see cref="MlacInputException"/> for an empty sequence (<c>builtin:bios:0</c> reaches it), and
    /// <see cref="ArgumentException"/> for null or empty fields or duplicate ids (the loader and the generator never give
    /// those).
    /// </summary>
    public static Dataset Create(IEnumerable<Example> examples, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var list = examples.ToArray();
        if (list.Length == 0)
            throw new MlacInputException("A dataset needs at least one example.");
        var ids = new HashSet<string>(list.Length, StringComparer.Ordinal);
        foreach (var e in list)
        {
            if (e is null || string.IsNullOrEmpty(e.Id) || e.Text is null
                || string.IsNullOrEmpty(e.DesiredLabel) || string.IsNullOrEmpty(e.HarmfulLabel))
                throw new ArgumentException("Examples need a non-empty id and labels, and a text.", nameof(examples));
            if (!ids.Add(e.Id))
                throw new ArgumentException($"Duplicate example id '{e.Id}'.", nameof(examples));
        }

        return new Dataset(
            source,
            Array.AsReadOnly(list),
            SortedDistinct(list.Select(e => e.DesiredLabel)),
            SortedDistinct(list.Select(e => e.HarmfulLabel)),
            ComputeDigest(list));
    }

    /// <summary>
    /// Digest of a set of examples. Examples are taken in ordinal id order, because the splits ignore input
    /// order too: two datasets with equal digests give equal splits for a seed. Each string is written as its
    /// UTF-8 byte count (64-bit little-endian) followed by its bytes, after a domain/version tag, so no two
    /// different example sets share an encoding.
    /// </summary>
    public static string ComputeDigest(IEnumerable<Example> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var sorted = examples.OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(DigestDomain));
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(number, (ulong)sorted.Length);
        hash.AppendData(number);
        var buffer = new byte[256];
        foreach (var e in sorted)
        {
            Append(e.Id);
            Append(e.Text);
            Append(e.DesiredLabel);
            Append(e.HarmfulLabel);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());

        void Append(string value)
        {
            var count = Encoding.UTF8.GetByteCount(value);
            if (buffer.Length < count)
                buffer = new byte[Math.Max(count, buffer.Length * 2)];
            Encoding.UTF8.GetBytes(value, buffer);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)count);
            hash.AppendData(length);
            hash.AppendData(buffer, 0, count);
        }
    }

    private static IReadOnlyList<string> SortedDistinct(IEnumerable<string> labels) =>
        Array.AsReadOnly(labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());

    private static IReadOnlyDictionary<string, int> IndexOf(IReadOnlyList<string> labels) =>
        labels.Select((label, index) => (label, index)).ToFrozenDictionary(p => p.label, p => p.index, StringComparer.Ordinal);
}
