using System.Globalization;
using MlacRelease.Core.Model;
using MlacRelease.Core.Weights;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// Turns a checkpoint into a released model: the encoder as a Hugging Face folder (with the steps and the dataset in
/// its metadata) and the heads file beside it. Also writes the selection candidates, which are such folders too.
/// </summary>
public sealed class TrainedModelWriter(string vocabulary)
{
    /// <summary>Writes the model of <paramref name="checkpointPath"/> into <paramref name="folder"/>; returns the encoder's digest.</summary>
    public string Write(string folder, string checkpointPath)
    {
        var (info, tensors) = TrainingCheckpoint.Load(checkpointPath);
        try
        {
            using var weights = new EncoderWeights(EncoderConfig.FromJson(info.EncoderConfigJson), CheckpointTensors.Encoder(tensors), checkpointPath);
            var digest = HuggingFaceDirectory.Save(folder, weights, vocabulary, new Dictionary<string, string>
            {
                ["mlac.trained_steps"] = info.Step.ToString(CultureInfo.InvariantCulture),
                ["mlac.dataset_digest"] = info.DatasetDigest,
            });
            HeadsFile.Write(folder, CheckpointTensors.DesiredHead(tensors), info.DesiredLabels, info.HarmfulLabels, digest);
            return digest;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>The Hugging Face folder of one selection candidate, candidates/step-NNNNNN, made from the latest
    /// checkpoint (<paramref name="saveLatest"/> runs first, for a step that did not write it). Written under a temporary
    /// name and renamed, so a folder with the final name is always complete; a resumed run finds it and skips it.</summary>
    public void WriteCandidate(TrainingRunLayout layout, long step, Action saveLatest)
    {
        var folder = layout.CandidateFolder(step);
        if (Directory.Exists(folder)) return;
        saveLatest();
        var partial = layout.PartialCandidateFolder(step);
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        Write(partial, layout.LatestCheckpoint);
        Directory.Move(partial, folder);
    }
}
