using DeepRL.Agents.Networks;
using DeepRL.Agents.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DeepRL.Agents.Policies;

/// <summary>
/// PPO's policy and value networks. Torso: MLP (tanh) or CNN; the critic gets its own MLP torso unless
/// <c>shared</c>. With an LSTM the torso feeds a single-layer LSTM shared by both heads; its hidden state
/// is passed in and out explicitly and zeroed wherever an episode starts. Unless <c>criticTrainsLstm</c>, the
/// value head reads the LSTM's output without passing its gradient back (SB3 RecurrentPPO's shared_lstm): only
/// the policy gradient shapes the memory. The actor head gives logits
/// (Discrete) or the Gaussian mean (Box, with a learned state-independent log std).
/// </summary>
public sealed class ActorCritic : nn.Module
{
    private readonly Module<Tensor, Tensor> actorTorso;
    private readonly Module<Tensor, Tensor>? criticTorso;
    private readonly LstmLayer? lstm;
    private readonly Linear actorHead;
    private readonly Linear criticHead;
    private readonly Parameter? logStd;
    private readonly bool criticTrainsLstm;

    public ActorCritic(PolicyKind kind, int[] observationShape, int actionOutputs, bool continuous, int[] hidden, bool shared,
        int lstmHidden, double logStdInit, bool criticTrainsLstm = true) : base("ActorCritic")
    {
        IsRecurrent = kind == PolicyKind.Lstm;
        this.criticTrainsLstm = criticTrainsLstm;
        var torsoKind = NetworkFactory.TorsoOf(kind, observationShape);
        bool tanh = torsoKind == PolicyKind.Mlp;
        (actorTorso, int features) = NetworkFactory.Torso(torsoKind, observationShape, hidden, tanh);
        if (!shared && !IsRecurrent && torsoKind == PolicyKind.Mlp)
            (criticTorso, _) = NetworkFactory.Torso(torsoKind, observationShape, hidden, tanh);
        if (IsRecurrent)
        {
            lstm = new LstmLayer(features, lstmHidden);
            LstmHidden = lstmHidden;
            features = lstmHidden;
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

    public bool IsRecurrent { get; }

    public int LstmHidden { get; }

    public Tensor? LogStd => logStd;

    // The parts, for exporters that rebuild the network in another format (see Export/PolicyExport).
    internal Module<Tensor, Tensor> ActorTorso => actorTorso;

    internal Module<Tensor, Tensor>? CriticTorso => criticTorso;

    internal LstmLayer? Lstm => lstm;

    internal Linear ActorHead => actorHead;

    internal Linear CriticHead => criticHead;

    /// <summary>A zero hidden state (h, c) for <paramref name="batch"/> sequences.</summary>
    public (Tensor H, Tensor C) InitialState(int batch, Device device) =>
        (zeros(1, batch, LstmHidden, device: device), zeros(1, batch, LstmHidden, device: device));

    /// <summary>
    /// One step for a batch [B, …obs]: actor output [B, A], value [B], and the next hidden state.
    /// <paramref name="starts"/> [B] (1 where an episode starts) resets the hidden state first.
    /// </summary>
    public (Tensor Actor, Tensor Value, Tensor? H, Tensor? C) Step(Tensor observations, Tensor? h, Tensor? c, Tensor? starts)
    {
        var features = actorTorso.forward(observations);
        if (lstm is null)
        {
            var criticFeatures = criticTorso is null ? features : criticTorso.forward(observations);
            return (actorHead.forward(features), criticHead.forward(criticFeatures).squeeze(-1), null, null);
        }
        var keep = starts!.neg().add(Scalars.One).view(1, -1, 1);
        var (hn, cn) = lstm.Step(features, (h! * keep)[0], (c! * keep)[0]);
        return (actorHead.forward(hn), CriticOnLstm(hn), hn.unsqueeze(0), cn.unsqueeze(0));
    }

    /// <summary>
    /// Replays whole sequences for training: observations [T, B, …], starts [T, B], initial state of each
    /// sequence. Returns actor outputs [T·B, A] and values [T·B] in time-major order (truncated BPTT over T).
    /// </summary>
    public (Tensor Actor, Tensor Value) Sequence(Tensor observations, Tensor starts, Tensor h, Tensor c)
    {
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
        return (actorHead.forward(x), CriticOnLstm(x));
    }

    // Why the detach: with n-step returns of tens, one actor-critic step per batch and a shared LSTM, the value
    // loss drives the LSTM into saturation (its weights grow until outputs are ±1 and carry no state) to express
    // a large constant value; A2C-LSTM on CartPole-Masked then never leaves random play.
    private Tensor CriticOnLstm(Tensor lstmOutput) =>
        criticHead.forward(criticTrainsLstm ? lstmOutput : lstmOutput.detach()).squeeze(-1);
}
