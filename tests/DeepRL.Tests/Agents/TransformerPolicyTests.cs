using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

/// <summary>
/// The transformer policy's memory: causal (the future never changes the past), windowed (context_length steps back,
/// no further), cut at episode starts, and the same function whether a rollout is acted step by step or replayed as
/// a sequence for training.
/// </summary>
[Category("Fast")]
public class TransformerPolicyTests
{
    private const int Obs = 3, Context = 4, T = 9, B = 3;

    private static ActorCritic Net(int layers = 2)
    {
        manual_seed(0);
        var net = new ActorCritic(PolicyKind.Transformer, [Obs], 2, false, [8], shared: true, lstmHidden: 1, logStdInit: 0,
            transformerSettings: new TransformerSettings(Context, Layers: layers, Heads: 2, Dim: 8));
        // The gates start close to the identity; random weights everywhere make every dependency visible in the outputs.
        using var _ = no_grad();
        foreach (var p in net.parameters()) p.copy_(randn(p.shape) * 0.5f);
        return net;
    }

    private static (Tensor Actor, Tensor Value) Replay(ActorCritic net, Tensor obs, Tensor starts)
    {
        var (h, c) = net.InitialState(B, CPU);
        return net.Sequence(obs, starts, h, c);
    }

    private static bool Same(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    /// <summary>
    /// Replays one random sequence (episodes starting at <paramref name="episodeStarts"/>) twice, the second time with a
    /// very different observation at step <paramref name="changedAt"/>; returns both actor outputs and the observations.
    /// </summary>
    private static (Tensor Before, Tensor After, Tensor Observations) ReplayWithChange(ActorCritic net, int changedAt, params int[] episodeStarts)
    {
        var obs = randn(T, B, Obs);
        var starts = zeros(T, B);
        foreach (int t in episodeStarts) starts[t].fill_(1);
        var (before, _) = Replay(net, obs, starts);
        var changed = obs.clone();
        changed[changedAt] = randn(B, Obs) * 5f;
        var (after, _) = Replay(net, changed, starts);
        return (before, after, obs);
    }

    private static Tensor Rows(Tensor actor, int t) => actor[TensorIndex.Slice(t * B, (t + 1) * B)];

    [TestCase(1)] // one block: a single masked pass over the timeline
    [TestCase(2)] // two blocks: each window attended on its own
    public void Replaying_a_sequence_gives_what_stepping_gave_with_a_carried_context_and_a_reset_inside(int layers)
    {
        using var net = Net(layers);
        var obs = randn(T, B, Obs);
        var starts = zeros(T, B);
        starts[5, 1] = 1; // env 1 starts a new episode at t = 5
        // A carried context from before the sequence: 4 earlier observations, the first two not real.
        var (h, c) = net.InitialState(B, CPU);
        h = randn(h.shape);
        c = tensor(new float[] { 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1 }).reshape(1, B, Context);
        var (actor, value) = net.Sequence(obs, starts, h, c);
        Assert.That(actor.shape, Is.EqualTo(new long[] { T * B, 2 }));
        Assert.That(value.shape, Is.EqualTo(new long[] { T * B }));

        for (int t = 0; t < T; t++)
        {
            var (a, v, hn, cn) = net.Step(obs[t], h, c, starts[t]);
            Assert.That(allclose(a, Rows(actor, t), 1e-4, 1e-5), Is.True, $"actor at t = {t}");
            Assert.That(allclose(v, value[TensorIndex.Slice(t * B, (t + 1) * B)], 1e-4, 1e-5), Is.True, $"value at t = {t}");
            (h, c) = (hn!, cn!);
        }
    }

    [TestCase(1)] // one block: a single masked pass over the timeline
    [TestCase(2)] // two blocks: each window attended on its own
    public void A_future_observation_never_changes_an_earlier_output(int layers)
    {
        using var net = Net(layers);
        var (before, after, _) = ReplayWithChange(net, changedAt: 6, episodeStarts: 0);
        for (int t = 0; t < 6; t++) Assert.That(Same(Rows(before, t), Rows(after, t)), Is.True, $"t = {t} saw the future");
        Assert.That(allclose(Rows(before, 6), Rows(after, 6)), Is.False, "the changed step itself must differ");
        Assert.That(allclose(Rows(before, 7), Rows(after, 7)), Is.False, "a later step attends to the changed one");
    }

    [TestCase(1)] // one block: a single masked pass over the timeline
    [TestCase(2)] // two blocks: each window attended on its own
    public void The_window_reaches_context_length_steps_back_and_no_further(int layers)
    {
        using var net = Net(layers);
        var (before, after, _) = ReplayWithChange(net, changedAt: 1, episodeStarts: 0);
        Assert.That(allclose(Rows(before, 1 + Context), Rows(after, 1 + Context)), Is.False, "context_length steps back is inside the window");
        Assert.That(Same(Rows(before, 2 + Context), Rows(after, 2 + Context)), Is.True, "one step further is outside");
    }

    [TestCase(1)] // one block: a single masked pass over the timeline
    [TestCase(2)] // two blocks: each window attended on its own
    public void The_context_is_cut_at_an_episode_start(int layers)
    {
        using var net = Net(layers);
        var (before, after, obs) = ReplayWithChange(net, changedAt: 3, 0, 4); // step 3: the last of the first episode
        for (int t = 4; t < T; t++) Assert.That(Same(Rows(before, t), Rows(after, t)), Is.True, $"t = {t} saw the previous episode");

        // A fresh start from any carried context equals a start from nothing.
        var (h, c) = net.InitialState(B, CPU);
        var (fromNothing, _, _, _) = net.Step(obs[0], h, c, ones(B));
        var (fromOld, _, _, _) = net.Step(obs[0], randn(h.shape), ones(c.shape), ones(B));
        Assert.That(Same(fromNothing, fromOld), Is.True);
    }

    [Test]
    public void A_cnn_torso_feeds_the_transformer_on_image_observations()
    {
        manual_seed(0);
        using var net = new ActorCritic(PolicyKind.Transformer, [4, 10, 10], 3, false, [16], shared: true, lstmHidden: 1, logStdInit: 0,
            transformerSettings: new TransformerSettings(ContextLength: 2, Layers: 1, Heads: 2, Dim: 8));
        Assert.That(net.named_parameters().Select(p => p.name), Has.Some.StartsWith("actorTorso.conv"));
        var obs = rand(new long[] { 4, 2, 4, 10, 10 });
        var starts = zeros(4, 2);
        starts[0].fill_(1);
        var (h, c) = net.InitialState(2, CPU);
        Assert.That(h.shape, Is.EqualTo(new long[] { 1, 2, 2 * 400 }));
        var (actor, _) = net.Sequence(obs, starts, h, c);
        for (int t = 0; t < 4; t++)
        {
            var (a, _, hn, cn) = net.Step(obs[t], h, c, starts[t]);
            Assert.That(allclose(a, actor[TensorIndex.Slice(t * 2, t * 2 + 2)], 1e-4, 1e-5), Is.True, $"t = {t}");
            (h, c) = (hn!, cn!);
        }
    }

    [Test]
    public void The_state_holds_the_last_observations_and_which_are_real()
    {
        using var net = Net();
        var (h, c) = net.InitialState(2, CPU);
        Assert.That(h.shape, Is.EqualTo(new long[] { 1, 2, Context * Obs }));
        Assert.That(c.shape, Is.EqualTo(new long[] { 1, 2, Context }));
        var first = randn(2, Obs);
        (_, _, var h1, var c1) = net.Step(first, h, c, ones(2));
        Assert.That(c1!.reshape(-1).data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 0, 1, 0, 0, 0, 1 }));
        Assert.That(Same(h1![0].view(2, Context, Obs)[.., -1], first), Is.True);
    }

    [Test]
    public void Dqn_and_onnx_export_refuse_the_transformer_by_name()
    {
        var dqn = Assert.Throws<ArgumentException>(() => DeepRL.Agent.Create("dqn", "CartPole-v1",
            new Dictionary<string, object> { ["policy"] = "transformer" }));
        Assert.That(dqn!.Message, Does.Contain("transformer policy is for PPO, A2C and A3C"));

        using var ppo = DeepRL.Agent.Create("ppo", "GridWorld-TMaze-v0",
            new Dictionary<string, object> { ["policy"] = "transformer", ["context_length"] = 2, ["transformer_dim"] = 8 });
        string path = Path.Combine(Path.GetTempPath(), $"deeprl-transformer-{Guid.NewGuid():N}.onnx");
        var export = Assert.Throws<NotSupportedException>(() => ppo.Export(path));
        Assert.That(export!.Message, Does.Contain("Transformer policies cannot be exported to ONNX"));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Settings_that_cannot_work_are_refused_by_name()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TransformerSettings(8, 1, Heads: 3, Dim: 64).Validate());
        Assert.That(ex!.Message, Does.Contain("transformer_dim (64)").And.Contain("transformer_heads (3)"));
        Assert.Throws<ArgumentException>(() => new TransformerSettings(ContextLength: 0).Validate());
    }
}
