using MlacRelease.Certification.Batteries;
using MlacRelease.Certification.Data;
using MlacRelease.Certification.Policies;
using MlacRelease.Core.Model;
using TorchSharp;

namespace MlacRelease.Certification.Execution;

/// <summary>What to certify, against what, and where to put the results.</summary>
public sealed record CertificationRequest
{
    /// <summary>The encoder under test.</summary>
    public required EncoderWeights Model { get; init; }

    /// <summary>The pretrained encoder it was made from (same configuration).</summary>
    public required EncoderWeights Pretrained { get; init; }

    public required CertificationData Data { get; init; }

    public required Battery Battery { get; init; }

    /// <summary>Evaluated into the certificate's verdict when given.</summary>
    public CertificationPolicy? Policy { get; init; }

    /// <summary>Results, resumable state and the certificate go here.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>SHA-256 of the model's weights file, when certifying a file (recorded beside the weight digest).</summary>
    public string? ModelFileDigest { get; init; }

    /// <summary>The classifier head the model is to be released with (<see cref="Core.Model.HeadDigest"/>), recorded in the
    /// certificate for the gate to compare with the shipped one; <see cref="Core.Model.HeadDigest.None"/>: released without one.</summary>
    public string HeadDigest { get; init; } = Core.Model.HeadDigest.None;

    /// <summary>Worker processes sharing the output folder, this one included (see <see cref="IWorkerLauncher"/>).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Starts workers 1 … <see cref="Workers"/> − 1; required when <see cref="Workers"/> &gt; 1.</summary>
    public IWorkerLauncher? WorkerLauncher { get; init; }

    /// <summary>libtorch intra-op threads per run. Part of the certification's identity: the same value reproduces the
    /// same bits, whatever the number of workers or shards.</summary>
    public int ThreadsPerWorker { get; init; } = 1;

    /// <summary>Where tensors live; CPU when null.</summary>
    public torch.Device? Device { get; init; }

    /// <summary>The baseline cache folder (see <see cref="BaselineCache"/>): the reference arms' units are read from it
    /// when present and written to it when computed. Null: no cache (every arm is computed).</summary>
    public string? BaselineCache { get; init; }

    /// <summary>Write report.md and plots beside the certificate (single runs and merges).</summary>
    public bool WriteReport { get; init; } = true;
}
