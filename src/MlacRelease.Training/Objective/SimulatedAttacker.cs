using MlacRelease.Core.Numerics;
using MlacRelease.Core.Attack;
using MlacRelease.Core.Model;
using MlacRelease.Training.Inner;
using static TorchSharp.torch;

namespace MlacRelease.Training.Objective;

/// <summary>
/// The simulated attacker of one rollout, shared by the differentiable short rollout (<see cref="MlacObjective"/>) and
/// the first-order long one (<see cref="LongHorizonObjective"/>): what it adapts (all weights or LoRA adapters), at which
/// learning rate, with which optimiser and gradient clip, and its benign phase.
/// </summary>
internal sealed class SimulatedAttacker
{
    private readonly RolloutPlan _plan;
    private readonly InnerOptimizerKind _kind;
    private readonly bool _textbookAdam;
    private readonly List<int> _all;

    public SimulatedAttacker(MlacModelState state, RolloutPlan plan, MlacObjectiveOptions options)
    {
        if (plan.HeadOnly.Count != plan.Inner.Count) throw new ArgumentException("one head-only flag per inner step is required");
        _plan = plan;
        Layout = plan.Lora is { } loraRollout
            ? new LoraFastWeights(state.Encoder, loraRollout)
            : new FastWeightLayout(state.Encoder, options.SparseEmbeddings, plan.Inner.Prepend(plan.Outer));
        var alpha = state.AttackerLearningRate;
        // A drawn attacker, and a LoRA attacker, run at their own learning rate: the meta-learned α is tuned to full
        // fine-tuning with one optimiser, and adapters need a larger one (the battery's LoRA attack uses 1e-3 to 5e-3).
        double? fixedRate = plan.Attacker?.LearningRate ?? plan.Lora?.LearningRate;
        LearningRate = fixedRate is { } rate
            ? HeldScalars.Full([], rate, alpha.dtype, alpha.device)
            : alpha.Clamp(options.AttackerLearningRateMin, options.AttackerLearningRateMax);
        _kind = plan.Attacker?.Optimizer ?? options.InnerOptimizer;
        _textbookAdam = options.TextbookInnerAdam;
        ClipNorm = plan.Attacker?.ClipNorm ?? options.InnerClipNorm;
        BenignSteps = plan.Attacker?.BenignSteps ?? 0;
        if (BenignSteps < 0 || BenignSteps > plan.InnerSteps) throw new ArgumentException($"{BenignSteps} benign steps in a rollout of {plan.InnerSteps}");
        Optimizer = InnerOptimizers.Create(_kind, _textbookAdam);
        _all = Enumerable.Range(0, Layout.HeadIndex + 1).ToList();
        if (plan.Attacker?.Reinit is { } reinit) _reinitialized = Reinitialized(state.Encoder, reinit.Layers, reinit.Seed);
    }

    private readonly Dictionary<int, Tensor>? _reinitialized;

    /// <summary>The head the rollout's attacker starts from: a fresh leaf drawn from the draw's head seed, or the
    /// meta-learned h₀ (<see cref="MlacModelState.AttackerHead"/>) without one.</summary>
    public static Tensor StartHead(MlacModelState state, RolloutPlan plan)
    {
        if (plan.Attacker?.HeadSeed is not { } seed) return state.AttackerHead;
        var h0 = state.AttackerHead;
        var config = state.Encoder.Config;
        // The certifier's own head for this seed (float32), in the encoder's dtype.
        using var created = ClassifierHead.Create((int)h0.shape[0], config.HiddenSize, config.InitializerRange, seed, h0.device);
        return created.detach().to(h0.dtype).clone().requires_grad_(true);
    }

    /// <summary>The attacker starts from re-initialised top layers: its φ₀ is not the encoder's own weights, so the
    /// encoder's terms must be read from <see cref="IFastWeights.Initial"/>, not from <see cref="Start"/>.</summary>
    public bool Reinitializes => _reinitialized is not null;

    public IFastWeights Layout { get; }

    /// <summary>Scalar; in the graph of the meta-learned α when the attacker uses it.</summary>
    public Tensor LearningRate { get; }

    public double ClipNorm { get; }

    /// <summary>The first this many inner steps fine-tune on the desired task (benign-then-harmful attacker).</summary>
    public int BenignSteps { get; }

    /// <summary>The optimiser of the current phase (a new one starts the harmful phase).</summary>
    public IInnerOptimizer Optimizer { get; private set; }

    /// <summary>Continues a carried attacker: its optimiser, with the moments it has built up, replaces the fresh one.</summary>
    public void Continue(IInnerOptimizer optimizer)
    {
        if (BenignSteps > 0 || _reinitialized is not null) throw new ArgumentException("only a LoRA attacker is carried across rollouts");
        Optimizer = optimizer;
    }

    /// <summary>φ₀. With a benign phase the head slot holds the benign head, a fresh leaf copied from the desired head (the
    /// attacker fine-tunes the released model on its task first), until the harmful phase swaps in the harmful head.</summary>
    /// <remarks>A re-initialisation attacker's top layers and pooler are the rollout's fresh leaves, the same tensors at
    /// every call, which no outer gradient passes through.</remarks>
    public List<Tensor> Start(MlacModelState state, Tensor harmfulHead)
    {
        var phi = Layout.Initial(state.Encoder, BenignSteps > 0 ? state.DesiredHead.detach().clone().requires_grad_(true) : harmfulHead);
        foreach (var (index, fresh) in _reinitialized ?? []) phi[index] = fresh;
        return phi;
    }

    /// <summary>Fresh top-layer and pooler weights drawn as the certifier's re-initialisation attack draws them
    /// (<see cref="LayerReinitializer"/>), by their index in the full fine-tuning layout.</summary>
    private Dictionary<int, Tensor> Reinitialized(EncoderWeights encoder, int layers, ulong seed)
    {
        if (Layout is not FastWeightLayout full) throw new ArgumentException("a re-initialisation attacker fine-tunes every weight; it cannot be a LoRA rollout");
        var shapes = full.EncoderNames.ToDictionary(n => n, n => encoder[n].shape, StringComparer.Ordinal);
        var fresh = LayerReinitializer.Fresh(encoder.Config, shapes, layers, seed);
        var indices = new Dictionary<int, Tensor>();
        for (var i = 0; i < full.EncoderNames.Count; i++)
        {
            if (!fresh.TryGetValue(full.EncoderNames[i], out var value)) continue;
            indices[i] = value.to(encoder.DType, encoder.Device).requires_grad_(true);
            if (!ReferenceEquals(indices[i], value)) value.Dispose();
        }
        return indices;
    }

    /// <summary>
    /// Inner step <paramref name="k"/> on φ: the cross-entropy of the head slot on inner batch k (desired labels in the
    /// benign phase, harmful after), its gradient (in the graph unless <paramref name="firstOrder"/>), clipped, and the
    /// optimiser's update; with <paramref name="detachUpdate"/> the update is computed outside the graph and the new
    /// weights are fresh leaves. After the last benign step the head slot becomes <paramref name="harmfulHead"/> and a new
    /// optimiser starts, as the battery runs the two phases as separate fine-tunes. Returns the pre-clip gradient norm.
    /// </summary>
    public (List<Tensor> Phi, Tensor Norm) Step(IReadOnlyList<Tensor> phi, int k, Tensor harmfulHead, bool firstOrder, bool detachUpdate = false)
    {
        var batch = Layout.Prepare(_plan.Inner[k]);
        using var features = Layout.Forward(phi, batch);
        var labels = k < BenignSteps ? batch.Desired : batch.Harmful;
        var loss = ClassifierHead.CrossEntropy(features.PooledOutput, phi[Layout.HeadIndex], labels);
        var targets = _plan.HeadOnly[k] ? [Layout.HeadIndex] : _all;
        var grads = autograd.grad([loss], targets.Select(i => phi[i]).ToList(), retain_graph: true, create_graph: !firstOrder);
        var present = new Tensor?[phi.Count];
        for (var t = 0; t < targets.Count; t++) present[targets[t]] = firstOrder ? grads[t].detach() : grads[t];
        var (clipped, norm) = GradientClipping.ClipByGlobalNorm(present, ClipNorm);
        List<Tensor> next;
        if (detachUpdate)
        {
            using (no_grad()) next = Optimizer.Step(phi, clipped, LearningRate.detach()).ToList();
            for (var i = 0; i < next.Count; i++)
            {
                if (!next[i].requires_grad) next[i].requires_grad_(true);
            }
        }
        else
        {
            next = Optimizer.Step(phi, clipped, LearningRate).ToList();
        }
        if (k == BenignSteps - 1)
        {
            next[Layout.HeadIndex] = harmfulHead;
            Optimizer = InnerOptimizers.Create(_kind, _textbookAdam);
        }
        return (next, norm);
    }

    /// <summary>The head that scores the harmful task after <paramref name="completed"/> inner steps: the attacker's
    /// initial one during the benign phase, the adapted head slot after it.</summary>
    public Tensor HarmfulHead(IReadOnlyList<Tensor> phi, int completed, Tensor harmfulHead) =>
        completed < BenignSteps ? harmfulHead : phi[Layout.HeadIndex];
}
