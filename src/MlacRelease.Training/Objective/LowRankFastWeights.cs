using MlacRelease.Core.Model;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// LoRA fast weights (Hu et al. 2021), as the certification battery's LoRA attack builds them: for the query, key,
/// value, attention-output, intermediate and output projection W [out, in] of every layer, A [r, in] drawn uniform
/// ±1/√in (PEFT's Kaiming-uniform) and B [out, r] = 0, read as W + (α/r)·B·A. B = 0 makes the attacker start from the
/// encoder exactly; W enters the forward directly, so the outer gradient reaches every targeted weight both through
/// the adapted forward and through the adapters' inner gradients.
/// </summary>
public sealed class LowRankFastWeights : IFastWeights
{
    private static readonly string[] Modules =
    [
        BertParameterNames.Query, BertParameterNames.Key, BertParameterNames.Value,
        BertParameterNames.AttentionOutput, BertParameterNames.Intermediate, BertParameterNames.Output,
    ];

    private readonly EncoderWeights _encoder;
    private readonly LowRankRollout _rollout;
    private readonly List<string> _targets = [];

    public LowRankFastWeights(EncoderWeights encoder, LowRankRollout rollout)
    {
        if (rollout.Rank <= 0) throw new ArgumentException($"LoRA rank must be positive, got {rollout.Rank}");
        _encoder = encoder;
        _rollout = rollout;
        for (var layer = 0; layer < encoder.Config.NumHiddenLayers; layer++)
        {
            foreach (var module in Modules) _targets.Add(BertParameterNames.Layer(layer, module + ".weight"));
        }
        HeadIndex = 2 * _targets.Count;
    }

    public int HeadIndex { get; }

    /// <summary>The adapted weights' names, in fast-weight order (A and B of target i are fast[2i], fast[2i + 1]).</summary>
    public IReadOnlyList<string> Targets => _targets;

    public List<Tensor> Initial(EncoderWeights encoder, Tensor attackerHead)
    {
        var list = new List<Tensor>(HeadIndex + 1);
        var generator = new TorchSharp.torch.Generator(_rollout.Seed, CPU);
        foreach (var name in _targets)
        {
            var weight = encoder[name];
            long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
            var bound = 1.0 / Math.Sqrt(inFeatures);
            var a = (rand([_rollout.Rank, inFeatures], weight.dtype, generator: generator) * (2 * bound) - bound).to(weight.device);
            list.Add(a.requires_grad_(true));
            list.Add(zeros([outFeatures, _rollout.Rank], weight.dtype, weight.device, requires_grad: true));
        }
        list.Add(attackerHead);
        return list;
    }

    public PreparedBatch Prepare(LabeledBatch batch) => PreparedBatch.Upload(batch, _encoder[BertParameterNames.WordEmbeddings].device);

    public EncoderOutput Forward(IReadOnlyList<Tensor> fast, PreparedBatch batch, bool hiddenStates = false)
    {
        var p = new Dictionary<string, Tensor>(_encoder.Tensors, StringComparer.Ordinal);
        for (var i = 0; i < _targets.Count; i++)
        {
            p[_targets[i]] = _encoder[_targets[i]] + _rollout.Scale * fast[2 * i + 1].matmul(fast[2 * i]);
        }
        return BertEncoder.Forward(_encoder.Config, p, batch.Ids, batch.Mask, batch.Types, outputHiddenStates: hiddenStates);
    }
}
