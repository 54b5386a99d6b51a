using MlacRelease.Certification.Data;
using MlacRelease.Common.Integrity;
using MlacRelease.Common.Text;
using MlacRelease.Common.Errors;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Sources;

namespace MlacRelease.Certification.Execution;

/// <summary>
/// Loads what a certification needs from its specs: the model, its pretrained reference, the tokenizer and the
/// data, split as the model's training split it (split.json beside the model) and tokenized once, with every
/// desired-task example the battery uses. The CLI's <c>mlac certify</c> is this call plus display.
/// </summary>
public static class CertificationLoader
{
    public static PreparedCertification Load(CertificationInputs inputs)
    {
        var battery = inputs.Battery;
        var maxLength = inputs.MaxLength ?? battery.MaxLength;
        var notes = new List<string>();
        var (weights, vocabulary, description) = ModelSource.Load(inputs.Model);
        try
        {
            var reference = inputs.Pretrained ?? ModelSource.DefaultReferenceFor(weights.Config);
            var (original, _, originalDescription) = ModelSource.Load(reference);
            try
            {
                if (original.Config != weights.Config)
                    notes.Add($"the pretrained reference ({originalDescription}) has another configuration than the model; the random-init twin follows the model");
                var dataset = DataSource.Load(inputs.Data, inputs.Schema);
                var folder = ModelSource.Folder(inputs.Model);
                var recorded = folder is null ? null : SplitRecord.TryRead(folder);
                var recordPath = folder is null ? SplitRecord.FileName : Path.Combine(folder, SplitRecord.FileName);
                var (seed, fractions) = SplitChoice.Resolve(recorded, recordPath, inputs.SplitSeed, inputs.SplitFractions, dataset.Digest, inputs.Data);
                if (recorded is null)
                    notes.Add($"the model records no training split ({SplitRecord.FileName}); splitting with {SplitRecord.Describe(seed, fractions)}");
                var tokenizer = new BertTextTokenizer(vocabulary, new TokenizerSettings { MaxLength = maxLength });
                var data = CertificationData.FromDataset(dataset, tokenizer, seed, maxLength, battery.DesiredExamplesNeeded, fractions);
                var fileDigest = ModelSource.WeightsFile(inputs.Model) is { } file ? FileDigest.Sha256(file) : null;
                var headDigest = ReleasedHead(inputs, folder);
                return new PreparedCertification(weights, description, fileDigest, original, originalDescription, data, recorded, notes) { HeadDigest = headDigest };
            }
            catch
            {
                original.Dispose();
                throw;
            }
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>The digest of the head the model will be released with, as <c>mlac export</c> picks it: --head, else the
    /// head an exported graph carries, else heads.safetensors beside the model; none for the built-in model.</summary>
    private static string ReleasedHead(CertificationInputs inputs, string? folder)
    {
        if (inputs.HeadPath is { } path)
            return File.Exists(path) ? HeadDigest.OfFile(path) : throw new MlacInputException($"--head {path}: no such file");
        if (ModelSource.WeightsFile(inputs.Model) is { } file && file.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            return HeadDigest.OfOnnx(Core.Weights.OnnxBertImporter.Read(file), file);
        var beside = folder is null ? null : HeadsFile.PathIn(folder);
        return beside is not null && File.Exists(beside) ? HeadDigest.OfFile(beside) : HeadDigest.None;
    }
}
