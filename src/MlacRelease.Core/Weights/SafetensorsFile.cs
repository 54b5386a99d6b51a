using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace MlacRelease.Core.Weights;

/// <summary>The tensors and "__metadata__" of one safetensors file, as returned by <see cref="SafetensorsReader"/>.</summary>
public sealed class SafetensorsFile
{
    private readonly Dictionary<string, TensorRecord> _byName;

    /// <summary>Groups tensors and metadata; names must be unique (ordinal comparison).</summary>
    /// <exception cref="ArgumentException">A tensor is null, or two tensors share a name, or metadata has a null value.</exception>
    public SafetensorsFile(IEnumerable<TensorRecord> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<TensorRecord>();
        _byName = new Dictionary<string, TensorRecord>(StringComparer.Ordinal);
        foreach (TensorRecord? tensor in tensors)
        {
            if (tensor is null)
            {
                throw new ArgumentException("A tensor is null.", nameof(tensors));
            }

            if (!_byName.TryAdd(tensor.Name, tensor))
            {
                throw new ArgumentException($"Two tensors are named '{tensor.Name}'.", nameof(tensors));
            }

            list.Add(tensor);
        }

        Tensors = list.AsReadOnly();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach ((string key, string? value) in metadata)
            {
                meta[key] = value ?? throw new ArgumentException($"Metadata '{key}' has a null value.", nameof(metadata));
            }
        }

        Metadata = new ReadOnlyDictionary<string, string>(meta);
    }

    /// <summary>
    /// Tensors in file order: ascending data offset, which is the order their bytes appear in the file
    /// (zero-length tensors sharing an offset keep their header order). Not necessarily sorted by name.
    /// </summary>
    public IReadOnlyList<TensorRecord> Tensors { get; }

    /// <summary>The string-to-string "__metadata__" entry; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor with this exact (ordinal) name.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public TensorRecord this[string name] =>
        _byName.TryGetValue(name, out TensorRecord? tensor)
            ? tensor
            : throw new KeyNotFoundException($"No tensor named '{name}'.");

    /// <summary>Looks a tensor up by exact (ordinal) name.</summary>
    public bool TryGetTensor(string name, [NotNullWhen(true)] out TensorRecord? tensor) => _byName.TryGetValue(name, out tensor);

    /// <summary>True when a tensor has this exact (ordinal) name.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);
}
