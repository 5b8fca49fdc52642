using DeepRL.Agents.Networks;
using DeepRL.Agents.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DeepRL.Agents.Policies;

/// <summary>
/// PPO's policy and value networks. Torso: MLP (tanh) or CNN; the critic gets its own MLP torso unless
/// <c>shared</c>. With a memory — an LSTM, or a transformer over the episode's recent observations — the torso feeds
/// it and both heads read its output; its state is passed in and out explicitly (h, c) and cleared wherever an
/// episode starts. Unless <c>criticTrainsLstm</c>, the value head reads the memory's output without passing its
/// gradient back (SB3 RecurrentPPO's shared_lstm): only the policy gradient shapes the memory. The actor head gives
/// logits (Discrete) or the Gaussian mean (Box, with a learned state-independent log std).
/// <para>
/// The transformer's state is the episode's last <c>context_length</c> observations themselves (h: [1, B, K·obs],
/// c: [1, B, K] marking which are real), not cached activations as in Transformer-XL: the context is re-embedded with
/// the current weights at every step, so replaying a rollout for training computes exactly what acting computed, and a
/// checkpoint of the state resumes exactly — at the price of running the torso over K + 1 observations per step.
/// </para>
/// </summary>
public sealed class ActorCritic : nn.Module
{
    private readonly Module<Tensor, Tensor> actorTorso;
    private readonly Module<Tensor, Tensor>? criticTorso;
    private readonly LstmLayer? lstm;
    private readonly TransformerMemory? transformer;
    private readonly Linear actorHead;
    private readonly Linear criticHead;
    private readonly Parameter? logStd;
    private readonly bool criticTrainsLstm;
    private readonly long[] _observationShape = []; // the transformer's state holds raw observations
    private readonly int _observationSize;

    public ActorCritic(PolicyKind kind, int[] observationShape, int actionOutputs, bool continuous, int[] hidden, bool shared,
        int lstmHidden, double logStdInit, bool criticTrainsLstm = true, TransformerSettings? transformerSettings = null) : base("ActorCritic")
    {
        IsRecurrent = kind is PolicyKind.Lstm or PolicyKind.Transformer;
        this.criticTrainsLstm = criticTrainsLstm;
        var torsoKind = NetworkFactory.TorsoOf(kind, observationShape);
        bool tanh = torsoKind == PolicyKind.Mlp;
        (actorTorso, int features) = NetworkFactory.Torso(torsoKind, observationShape, hidden, tanh);
        if (!shared && !IsRecurrent && torsoKind == PolicyKind.Mlp)
            (criticTorso, _) = NetworkFactory.Torso(torsoKind, observationShape, hidden, tanh);
        if (kind == PolicyKind.Lstm)
        {
            lstm = new LstmLayer(features, lstmHidden);
            LstmHidden = lstmHidden;
            features = lstmHidden;
        }
        else if (kind == PolicyKind.Transformer)
        {
            var settings = transformerSettings ?? new TransformerSettings();
            transformer = new TransformerMemory(features, settings);
            Context = settings.ContextLength;
            _observationShape = observationShape.Select(d => (long)d).ToArray();
            _observationSize = observationShape.Aggregate(1, (a, d) => a * d);
            features = settings.Dim;
        }
        actorHead = Linear(features, actionOutputs);
        criticHead = Linear(features, 1);
        if (continuous) logStd = Parameter(full(actionOutputs, logStdInit));
        RegisterComponents();

        NetworkFactory.OrthogonalInit(actorTorso, Math.Sqrt(2));
        if (criticTorso is not null) NetworkFactory.OrthogonalInit(criticTorso, Math.Sqrt(2));
        NetworkFactory.OrthogonalInit(actorHead, 0.01);
        NetworkFactory.OrthogonalInit(criticHead, 1.0);
        if (lstm is not null)
        {
            using var _ = no_grad();
            foreach (var (name, p) in lstm.named_parameters())
            {
                if (name.StartsWith("bias", StringComparison.Ordinal)) nn.init.constant_(p, 0);
                else nn.init.orthogonal_(p, 1.0);
            }
        }
    }

    /// <summary>The network carries a state between steps (policy lstm or transformer).</summary>
    public bool IsRecurrent { get; }

    public int LstmHidden { get; }

    /// <summary>Past observations the transformer attends to (0 without one).</summary>
    public int Context { get; }

    public Tensor? LogStd => logStd;

    // The parts, for exporters that rebuild the network in another format (see Export/PolicyExport).
    internal Module<Tensor, Tensor> ActorTorso => actorTorso;

    internal Module<Tensor, Tensor>? CriticTorso => criticTorso;

    internal LstmLayer? Lstm => lstm;

    internal TransformerMemory? Transformer => transformer;

    internal Linear ActorHead => actorHead;

    internal Linear CriticHead => criticHead;

    /// <summary>The state before any step (h, c) for <paramref name="batch"/> sequences: zeros, i.e. nothing remembered.</summary>
    public (Tensor H, Tensor C) InitialState(int batch, Device device) => transformer is null
        ? (zeros(1, batch, LstmHidden, device: device), zeros(1, batch, LstmHidden, device: device))
        : (zeros(1, batch, Context * _observationSize, device: device), zeros(1, batch, Context, device: device));

    /// <summary>
    /// One step for a batch [B, …obs]: actor output [B, A], value [B], and the next hidden state.
    /// <paramref name="starts"/> [B] (1 where an episode starts) resets the hidden state first.
    /// </summary>
    public (Tensor Actor, Tensor Value, Tensor? H, Tensor? C) Step(Tensor observations, Tensor? h, Tensor? c, Tensor? starts)
    {
        if (transformer is not null) return TransformerStep(observations, h!, c!, starts!);
        var features = actorTorso.forward(observations);
        if (lstm is null)
        {
            var criticFeatures = criticTorso is null ? features : criticTorso.forward(observations);
            return (actorHead.forward(features), criticHead.forward(criticFeatures).squeeze(-1), null, null);
        }
        var keep = starts!.neg().add(Scalars.One).view(1, -1, 1);
        var (hn, cn) = lstm.Step(features, (h! * keep)[0], (c! * keep)[0]);
        return (actorHead.forward(hn), CriticOnMemory(hn), hn.unsqueeze(0), cn.unsqueeze(0));
    }

    /// <summary>
    /// Replays whole sequences for training: observations [T, B, …], starts [T, B], initial state of each
    /// sequence. Returns actor outputs [T·B, A] and values [T·B] in time-major order (truncated BPTT over T).
    /// </summary>
    public (Tensor Actor, Tensor Value) Sequence(Tensor observations, Tensor starts, Tensor h, Tensor c)
    {
        if (transformer is not null) return TransformerSequence(observations, starts, h, c);
        long t = observations.shape[0], b = observations.shape[1];
        var flat = observations.reshape([t * b, .. observations.shape[2..]]);
        var features = actorTorso.forward(flat).reshape(t, b, -1);
        var outputs = new List<Tensor>((int)t);
        for (long k = 0; k < t; k++)
        {
            var keep = starts[k].neg().add(Scalars.One).view(1, -1, 1);
            var (hk, ck) = lstm!.Step(features[k], (h * keep)[0], (c * keep)[0]);
            (h, c) = (hk.unsqueeze(0), ck.unsqueeze(0));
            outputs.Add(hk);
        }
        var x = stack(outputs).reshape(t * b, -1);
        return (actorHead.forward(x), CriticOnMemory(x));
    }

    /// <summary>
    /// One step of the transformer: the context (cleared where an episode starts) and the new observation form a window
    /// of K + 1 that attends causally; its last position feeds the heads; the window slides by one.
    /// </summary>
    private (Tensor Actor, Tensor Value, Tensor? H, Tensor? C) TransformerStep(Tensor observations, Tensor h, Tensor c, Tensor starts)
    {
        long b = observations.shape[0];
        var keep = starts.neg().add(Scalars.One).view(-1, 1);
        var context = h[0].view([b, Context, .. _observationShape]);
        var valid = cat([c[0] * keep, ones(b, 1, device: c.device)], 1);
        var window = cat([context, observations.unsqueeze(1)], 1); // [B, K + 1, …obs]
        var features = actorTorso.forward(window.reshape([b * (Context + 1), .. _observationShape])).view(b, Context + 1, -1);
        // One episode per window: the context was cleared above where this step starts one.
        var last = transformer!.Forward(features, transformer.Allowed(valid), lastOnly: true);
        var nextH = window[.., 1..].reshape(1, b, Context * _observationSize).contiguous();
        var nextC = valid[.., 1..].unsqueeze(0).contiguous();
        return (actorHead.forward(last), CriticOnMemory(last), nextH, nextC);
    }

    /// <summary>
    /// Whole sequences [T, B, …] for training, computed as acting computed them: each step attends over its window of
    /// K + 1 (the context from before the rollout, then the rollout's observations; positions of an earlier episode
    /// left out). The torso runs once per observation. With one block, one causal pass over each env's timeline with
    /// the window as a mask is exactly that; with more, a deeper block would see further back than the K observations
    /// the state carries, so each window is cut out and attended on its own (K + 1 times the attention work).
    /// </summary>
    private (Tensor Actor, Tensor Value) TransformerSequence(Tensor observations, Tensor starts, Tensor h, Tensor c)
    {
        long t = observations.shape[0], b = observations.shape[1], length = Context + t, width = Context + 1;
        var context = h[0].view([b, Context, .. _observationShape]);
        var timeline = cat([context, observations.transpose(0, 1)], 1); // [B, K + T, …obs]
        var features = actorTorso.forward(timeline.reshape([b * length, .. _observationShape])).view(b, length, -1);
        var valid = cat([c[0], ones(b, t, device: c.device)], 1);
        // Episode numbers along the timeline: the context is episode 0, every start inside the sequence begins the next.
        var episode = cat([zeros(b, Context, device: c.device), starts.transpose(0, 1).cumsum(1)], 1);
        Tensor outputs; // [B, T, D]
        if (transformer!.Layers == 1)
        {
            outputs = transformer.Forward(features, transformer.Allowed(valid, episode), lastOnly: false)[.., Context..];
        }
        else
        {
            var featureWindows = features.unfold(1, width, 1).permute(0, 1, 3, 2).reshape(b * t, width, -1);
            var episodeWindows = episode.unfold(1, width, 1).reshape(b * t, width);
            var validWindows = valid.unfold(1, width, 1).reshape(b * t, width);
            outputs = transformer.Forward(featureWindows, transformer.Allowed(validWindows, episodeWindows), lastOnly: true).view(b, t, -1);
        }
        var x = outputs.transpose(0, 1).reshape(t * b, -1);
        return (actorHead.forward(x), CriticOnMemory(x));
    }

    // Why the detach: with n-step returns of tens, one actor-critic step per batch and a shared LSTM, the value
    // loss drives the LSTM into saturation (its weights grow until outputs are ±1 and carry no state) to express
    // a large constant value; A2C-LSTM on CartPole-Masked then never leaves random play.
    private Tensor CriticOnMemory(Tensor memoryOutput) =>
        criticHead.forward(criticTrainsLstm ? memoryOutput : memoryOutput.detach()).squeeze(-1);
}
