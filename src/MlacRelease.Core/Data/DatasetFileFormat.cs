namespace MlacRelease.Core.Data;

/// <summary>On-disk layout of a dataset file.</summary>
public enum DatasetFileFormat
{
    /// <summary>Infer from the file extension (.jsonl, .ndjson, .json → JSONL; .csv → CSV).</summary>
    Auto = 0,

    /// <summary>One JSON object per line.</summary>
    Jsonl,

    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,
}
