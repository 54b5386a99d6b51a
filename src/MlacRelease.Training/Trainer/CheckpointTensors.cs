using MlacRelease.Common.Errors;
using MlacRelease.Training.Objective;
using static TorchSharp.torch;

namespace MlacRelease.Training.Trainer;

/// <summary>
/// How the training state is named inside a checkpoint: every parameter under "param.", the outer Adam's moments under
/// "outer.", the meta Adam's under "meta.", a carried attacker's adapters and moments under "carry.". The one place that
/// knows those prefixes: writing, restoring and reading the released encoder and head back all go through it.
/// </summary>
public static class CheckpointTensors
{
    private const string ParameterPrefix = "param.";
    private const string OuterPrefix = "outer.";
    private const string MetaPrefix = "meta.";
    private const string CarryPrefix = "carry.";

    /// <summary>Everything a checkpoint holds, named.</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> Of(MlacModelState state, ParameterAdam outer, ParameterAdam meta, AttackerCarry? carry = null) =>
        state.OuterParameters.Concat(state.AttackerParameters).Select(p => (ParameterPrefix + p.Name, p.Tensor))
            .Concat(outer.State().Select(s => (OuterPrefix + s.Name, s.Tensor)))
            .Concat(meta.State().Select(s => (MetaPrefix + s.Name, s.Tensor)))
            .Concat((carry?.SavedTensors() ?? []).Select(s => (CarryPrefix + s.Name, s.Tensor)));

    /// <summary>Restores the carried attacker a checkpoint holds (none when it holds none).</summary>
    public static void RestoreCarry(IReadOnlyDictionary<string, Tensor> tensors, CheckpointInfo info, AttackerCarry carry, MlacTrainingOptions options, Device device, string path)
    {
        try
        {
            carry.Restore(info.CarriedAttacker, Under(tensors, CarryPrefix), options.Objective.InnerOptimizer, options.Objective.TextbookInnerAdam, device);
        }
        // ArgumentException too: an optimiser kind the checkpoint names that this build does not know.
        catch (Exception e) when (e is MlacInputException or ArgumentException)
        {
            throw new MlacInputException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Copies a loaded checkpoint into the state and both optimisers; a missing or misshapen parameter is refused.</summary>
    public static void Restore(IReadOnlyDictionary<string, Tensor> tensors, CheckpointInfo info, MlacModelState state, ParameterAdam outer, ParameterAdam meta, string path)
    {
        using (no_grad())
        {
            foreach (var (name, tensor) in state.OuterParameters.Concat(state.AttackerParameters))
            {
                if (!tensors.TryGetValue(ParameterPrefix + name, out var saved)) throw new MlacInputException($"{path}: parameter '{name}' is missing");
                if (!saved.shape.SequenceEqual(tensor.shape)) throw new MlacInputException($"{path}: parameter '{name}' has the wrong shape");
                tensor.copy_(saved);
            }
        }
        outer.Restore(Under(tensors, OuterPrefix), info.OuterAdamSteps, path);
        meta.Restore(Under(tensors, MetaPrefix), info.MetaAdamSteps, path);
    }

    /// <summary>The encoder's tensors, copied (the caller owns them), by their names in the encoder.</summary>
    public static Dictionary<string, Tensor> Encoder(IReadOnlyDictionary<string, Tensor> tensors) =>
        Under(tensors, ParameterPrefix).Where(kv => MlacModelState.IsEncoderParameter(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value.clone());

    public static Tensor DesiredHead(IReadOnlyDictionary<string, Tensor> tensors) => tensors[ParameterPrefix + MlacModelState.DesiredHeadName];

    private static Dictionary<string, Tensor> Under(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
}
