using MlacRelease.Common.Release;
using MlacRelease.Export.Onnx;
using MlacRelease.Export.Validation;

namespace MlacRelease.Export.Release;

public sealed record ReleaseWriteResult(string Folder, ReleaseManifest Manifest, OnnxExportResult Export, ParityReport? Parity);
