using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// LoRA fast weights: the certification battery's LoRA attack (the shared <see cref="LoraAdapter"/>) on every
/// projection in <see cref="LoraTargetModules.All"/>, as one fast-weight list (A and B of target i are fast[2i] and
/// fast[2i + 1]). B = 0 makes the attacker start from the encoder exactly; W enters the forward directly, so the outer
/// gradient reaches every targeted weight both through the adapted forward and through the adapters' inner gradients.
/// </summary>
public sealed class LoraFastWeights : IFastWeights
{
    private readonly EncoderWeights _encoder;
    private readonly LoraRollout _rollout;
    private readonly IReadOnlyList<string> _targets;

    public LoraFastWeights(EncoderWeights encoder, LoraRollout rollout)
    {
        if (rollout.Rank <= 0) throw new ArgumentException($"LoRA rank must be positive, got {rollout.Rank}");
        _encoder = encoder;
        _rollout = rollout;
        _targets = LoraTargetModules.WeightNames(encoder.Config.NumHiddenLayers, LoraTargetModules.All);
        HeadIndex = 2 * _targets.Count;
    }

    public int HeadIndex { get; }

    /// <summary>The adapted weights' names, in fast-weight order (A and B of target i are fast[2i], fast[2i + 1]).</summary>
    public IReadOnlyList<string> Targets => _targets;

    public List<Tensor> Initial(EncoderWeights encoder, Tensor attackerHead)
    {
        var list = new List<Tensor>(HeadIndex + 1);
        foreach (var adapter in LoraAdapters.Initial(encoder.Tensors, _targets, _rollout.Rank, _rollout.Seed))
        {
            list.Add(adapter.LoraA.requires_grad_(true));
            list.Add(adapter.LoraB.requires_grad_(true));
        }
        list.Add(attackerHead);
        return list;
    }

    public PreparedBatch Prepare(LabeledBatch batch) => PreparedBatch.Upload(batch, _encoder[BertParameterNames.WordEmbeddings].device);

    public EncoderOutput Forward(IReadOnlyList<Tensor> fast, PreparedBatch batch, bool hiddenStates = false)
    {
        var adapters = _targets.Select((name, i) => new LoraAdapter(name, fast[2 * i], fast[2 * i + 1]));
        var p = LoraAdapters.Apply(_encoder.Tensors, adapters, _rollout.Scale);
        return BertEncoder.Forward(_encoder.Config, p, batch.Ids, batch.Mask, batch.Types, outputHiddenStates: hiddenStates);
    }
}
