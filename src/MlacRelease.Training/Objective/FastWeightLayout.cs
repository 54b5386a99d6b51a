using MlacRelease.Core.Model;
using MlacRelease.Common.Text;
using MlacRelease.Core.Text;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// How a simulated attacker's "fast weights" are laid out: the encoder's parameters plus the attacker head, as one
/// list that the inner optimiser updates. In the sparse layout the 30522-row word-embedding matrix is replaced by
/// only the rows of tokens that occur in this rollout's batches: every other row has a zero gradient at every inner
/// step, so Adam never moves it and it never influences a loss. Gradients are exactly those of the dense layout, at
/// a fraction of the memory traffic (the dense matrix would be copied and updated at every inner step).
/// </summary>
public sealed class FastWeightLayout : IFastWeights
{
    private readonly EncoderConfig _config;
    private readonly Tensor _wordEmbeddings;
    private readonly int[]? _rowOf;

    public FastWeightLayout(EncoderWeights encoder, bool sparseEmbeddings, IEnumerable<LabeledBatch> batches)
    {
        _config = encoder.Config;
        _wordEmbeddings = encoder[BertParameterNames.WordEmbeddings];
        Sparse = sparseEmbeddings;
        EncoderNames = encoder.Tensors.Keys
            .Where(n => !sparseEmbeddings || n != BertParameterNames.WordEmbeddings)
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (sparseEmbeddings)
        {
            ActiveVocabulary = batches.SelectMany(b => b.Tokens.InputIds).Distinct().Order().ToArray();
            _rowOf = new int[_config.VocabSize];
            Array.Fill(_rowOf, -1);
            for (var i = 0; i < ActiveVocabulary.Length; i++) _rowOf[ActiveVocabulary[i]] = i;
        }
        HeadIndex = EncoderNames.Count + (sparseEmbeddings ? 1 : 0);
    }

    public bool Sparse { get; }

    public IReadOnlyList<string> EncoderNames { get; }

    /// <summary>Token ids whose embedding rows are fast weights (sparse layout only), ascending.</summary>
    public long[] ActiveVocabulary { get; } = [];

    public int WordRowsIndex => EncoderNames.Count;

    public int HeadIndex { get; }

    /// <summary>φ₀: the encoder's current weights (rows gathered in the sparse layout, still differentiable with
    /// respect to the full matrix) followed by the attacker's initial head.</summary>
    public List<Tensor> Initial(EncoderWeights encoder, Tensor attackerHead)
    {
        var list = EncoderNames.Select(n => encoder[n]).ToList();
        if (Sparse) list.Add(_wordEmbeddings.index_select(0, tensor(ActiveVocabulary, device: _wordEmbeddings.device)));
        list.Add(attackerHead);
        return list;
    }

    /// <summary>A batch's tensors on the device, with ids remapped to active rows in the sparse layout.</summary>
    public PreparedBatch Prepare(LabeledBatch batch)
    {
        var device = _wordEmbeddings.device;
        Tensor? rows = null;
        if (Sparse)
        {
            var remapped = batch.Tokens.InputIds.Select(id => (long)RowOf(id)).ToArray();
            rows = tensor(remapped, device: device);
        }
        return PreparedBatch.Upload(batch, device, rows);
    }

    public EncoderOutput Forward(IReadOnlyList<Tensor> fast, PreparedBatch batch, bool hiddenStates = false)
    {
        var p = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < EncoderNames.Count; i++) p[EncoderNames[i]] = fast[i];
        Tensor? embeds = null;
        if (Sparse)
        {
            p[BertParameterNames.WordEmbeddings] = _wordEmbeddings;
            embeds = fast[WordRowsIndex].index_select(0, batch.Rows!).view(batch.Ids.shape[0], batch.Ids.shape[1], _config.HiddenSize);
        }
        return BertEncoder.Forward(_config, p, batch.Ids, batch.Mask, batch.Types, embeds, hiddenStates);
    }

    private int RowOf(long id)
    {
        var row = id >= 0 && id < _rowOf!.Length ? _rowOf[id] : -1;
        if (row < 0) throw new ArgumentException($"token id {id} does not occur in the batches this layout was built for");
        return row;
    }
}

/// <summary>A batch uploaded once per rollout and reused by every forward that reads it.</summary>
public sealed record PreparedBatch(LabeledBatch Source, Tensor Ids, Tensor Mask, Tensor Types, Tensor? Rows, Tensor Desired, Tensor Harmful)
{
    /// <summary>Uploads a batch; <paramref name="rows"/> are its ids remapped to sparse embedding rows, if any.</summary>
    public static PreparedBatch Upload(LabeledBatch batch, Device device, Tensor? rows = null)
    {
        var (ids, mask, types) = batch.Tokens.ToTensors(device);
        return new PreparedBatch(batch, ids, mask, types, rows, batch.DesiredTensor(device), batch.HarmfulTensor(device));
    }
}
