using MlacRelease.Common.Errors;
using MlacRelease.Common.Text;
using MlacRelease.Core.Data;
using MlacRelease.Core.Model;
using MlacRelease.Core.Numerics;
using MlacRelease.Core.Weights;
using static TorchSharp.torch;

namespace MlacRelease.Training.Erasure;

/// <summary>
/// Removes the harmful label from the word embeddings of the tokens that carry it. The defender's examples say which
/// tokens go with the harmful label (<see cref="TokenAssociations"/>); iterative nullspace projection on those tokens'
/// rows finds the subspace a linear reader takes the label from (<see cref="NullspaceProjection"/>); that subspace is
/// taken out of the rows. Nothing else in the encoder changes.
/// </summary>
/// <remarks>Why the embeddings: on the built-in corpus the harmful label (gender) is carried only by the first name, and
/// what lets an attacker with 100 biographies predict it for names it never trained on is what the pretrained rows know
/// about names. MLAC's terms read hidden states and left those rows as they were: after every MLAC arm of issue 11 a
/// probe still read a held-out name's gender from its row at 99.4–99.6 %, and top-layer re-initialisation relearnt it
/// from there (session 19).</remarks>
public static class LexicalErasure
{
    /// <param name="weights">The encoder (not changed; the result is a new one).</param>
    /// <param name="defenderTrain">The defender's examples: the only data this reads.</param>
    /// <param name="harmfulLabels">The harmful label names, in class order.</param>
    public static (EncoderWeights Weights, LexicalErasureReport Report) Apply(EncoderWeights weights, BertTextTokenizer tokenizer,
        IReadOnlyList<Example> defenderTrain, IReadOnlyList<string> harmfulLabels, LexicalErasureOptions options, Action<string>? log = null)
    {
        options.Validate();
        if (defenderTrain.Count == 0) throw new MlacInputException("lexical erasure needs the defender's examples; the defender split is empty");
        if (harmfulLabels.Count < 2)
            throw new MlacInputException($"lexical erasure needs at least two harmful labels to tell apart, got {harmfulLabels.Count} ({string.Join(", ", harmfulLabels)})");
        var vocabulary = tokenizer.VocabularyTokens;
        if (vocabulary.Count != weights.Config.VocabSize)
            throw new MlacInputException($"the vocabulary has {vocabulary.Count} tokens but the encoder's word embeddings have {weights.Config.VocabSize} rows");
        var classIndex = harmfulLabels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
        var labels = defenderTrain.Select(e => classIndex.TryGetValue(e.HarmfulLabel, out var c) ? c
            : throw new MlacInputException($"example '{e.Id}': harmful label '{e.HarmfulLabel}' is not one of {string.Join(", ", harmfulLabels)}")).ToList();
        var tokenIds = defenderTrain.Select(e => tokenizer.Encode(e.Text, int.MaxValue)).ToList();
        var (selected, tested) = TokenAssociations.Find(tokenIds, labels, harmfulLabels.Count, vocabulary, options.MinCount, options.FalseDiscoveryRate);
        log?.Invoke($"{selected.Count} of {tested} tokens tested go with the harmful label (false-discovery rate {options.FalseDiscoveryRate})");
        var present = selected.Select(s => s.Class).Distinct().Count();
        if (present < 2)
            throw new MlacInputException($"lexical erasure found tokens for {present} harmful class(es) in {defenderTrain.Count} defender examples; it needs tokens for at least two " +
                "(the label may not be carried by particular tokens, or there is too little data: lower --erase-min-count or raise --erase-fdr)");

        using var scope = NewDisposeScope();
        var embeddings = weights[BertParameterNames.WordEmbeddings];
        var ids = tensor(selected.Select(s => (long)s.TokenId).ToArray(), device: embeddings.device);
        var rows = embeddings.detach().index_select(0, ids).to(ScalarType.Float64);
        var rowLabels = selected.Select(s => (long)s.Class).ToArray();
        var majority = rowLabels.GroupBy(l => l).Max(g => g.Count()) / (double)rowLabels.Length;

        // Every fold needs a token of each class, so a class with fewer selected tokens than --folds lowers the folds.
        var folds = Math.Min(options.Folds, rowLabels.GroupBy(l => l).Min(g => g.Count()));
        if (folds < 2) throw new MlacInputException("lexical erasure needs at least two selected tokens per harmful class to test the erasure on held-out tokens");
        var heldOut = NullspaceProjection.HeldOutAccuracyByRank(rows, rowLabels, harmfulLabels.Count, options.Rank ?? options.MaxRank, folds, options.Seed, options.L2);
        var met = Array.FindIndex(heldOut, a => a <= majority + options.Tolerance);
        var rank = options.Rank ?? (met >= 0 ? Math.Max(met, 1) : options.MaxRank);
        log?.Invoke($"held-out accuracy by directions removed: {string.Join(" ", heldOut.Select((a, r) => $"{r}:{a:P1}"))}; majority {majority:P1}; removing {rank}");

        var directions = NullspaceProjection.FitDirections(rows, rowLabels, harmfulLabels.Count, rank, options.L2);
        var centre = rows.mean([0]);
        Tensor updated;
        int changed;
        if (options.Scope == ErasureScope.Associated)
        {
            updated = embeddings.detach().clone();
            updated.index_copy_(0, ids, NullspaceProjection.Project(rows, directions, centre).to(embeddings.dtype));
            changed = selected.Count;
        }
        else
        {
            updated = NullspaceProjection.Project(embeddings.detach().to(ScalarType.Float64), directions, centre).to(embeddings.dtype);
            changed = (int)embeddings.shape[0];
        }
        var after = updated.index_select(0, ids).to(ScalarType.Float64);
        var report = new LexicalErasureReport
        {
            SourceWeightDigest = weights.Digest(),
            Examples = defenderTrain.Count,
            TokensTested = tested,
            Tokens = selected,
            MajorityShare = majority,
            HeldOutAccuracyByRank = heldOut,
            Rank = (int)directions.shape[0],
            RankChosen = options.Rank is null,
            ToleranceMet = heldOut[rank] <= majority + options.Tolerance,
            Scope = options.Scope == ErasureScope.Associated ? "associated" : "vocabulary",
            RowsChanged = changed,
            SelectedRowsMeanNorm = rows.Pow(2).sum(1).sqrt().mean().item<double>(),
            SelectedRowsMeanChange = (after - rows).Pow(2).sum(1).sqrt().mean().item<double>(),
            Options = options,
        };
        var tensors = weights.Tensors.ToDictionary(kv => kv.Key, kv => kv.Key == BertParameterNames.WordEmbeddings ? updated.MoveToOuterDisposeScope() : kv.Value.detach().clone().MoveToOuterDisposeScope());
        return (new EncoderWeights(weights.Config, tensors, "lexical erasure"), report);
    }
}
