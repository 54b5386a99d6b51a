namespace MlacRelease.Export.Onnx;

/// <summary>What <see cref="EncoderOnnxExporter.Save"/> wrote.</summary>
/// <param name="ModelPath">The .onnx file.</param>
/// <param name="ExternalDataPath">The tensor file beside it, when the tensors went to external data; else null.</param>
/// <param name="WeightDigest">The canonical weight digest recorded in the metadata.</param>
/// <param name="TensorBytes">Bytes of all initializers together.</param>
public sealed record OnnxExportResult(string ModelPath, string? ExternalDataPath, string WeightDigest, long TensorBytes);
