namespace MlacRelease.Core.Weights;

/// <summary>
/// Bounds the reader enforces before it trusts anything a file claims. The defaults accept every real text encoder
/// we know of while keeping a hostile file from making the reader allocate or loop without bound.
/// </summary>
public sealed record SafetensorsLimits
{
    /// <summary>The limits used when a caller passes none.</summary>
    public static SafetensorsLimits Default { get; } = new();

    /// <summary>Largest JSON header accepted; 100,000,000 bytes, as in the reference implementation (MAX_HEADER_SIZE).</summary>
    public long MaxHeaderBytes
    {
        get;
        init => field = value is >= 2 and <= int.MaxValue - 64
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxHeaderBytes), value, "Must be between 2 (\"{}\") and what one array can hold.");
    } = 100_000_000;

    /// <summary>Most tensor entries accepted in one header (the __metadata__ entry does not count).</summary>
    public int MaxTensors
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxTensors), value, "Must not be negative.");
    } = 100_000;

    /// <summary>Highest tensor rank accepted; cannot exceed <see cref="TensorRecord.MaxRank"/>.</summary>
    public int MaxRank
    {
        get;
        init => field = value is >= 0 and <= TensorRecord.MaxRank
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxRank), value, $"Must be between 0 and {TensorRecord.MaxRank}.");
    } = TensorRecord.MaxRank;

    /// <summary>Largest whole file (length prefix, header and data) accepted; 64 GiB by default.</summary>
    public long MaxFileBytes
    {
        get;
        init => field = value >= 8
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), value, "Must be at least 8 (the length prefix).");
    } = 64L * 1024 * 1024 * 1024;
}
