using DeepRL.Agents.OnPolicy;
using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using DeepRL.Environments;
using DeepRL.Environments.Vector;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

/// <summary>The on-policy collector (PPO, A2C, A3C): its recurrent path replays a rollout from its start state.</summary>
[Category("Fast")]
public class RolloutCollectorTests
{
    [Test]
    public void Replaying_a_recurrent_segment_reproduces_the_rollout_log_probs()
    {
        manual_seed(3);
        using var net = new ActorCritic(PolicyKind.Lstm, [4], 2, false, [16], shared: true, lstmHidden: 8, logStdInit: 0);
        using var envs = VectorEnvs.Make("CartPole-v1", 3);
        envs.Reset(5);
        using var collector = new RolloutCollector(net, envs, 40, CPU, new Rng(1));
        // Three envs, 40 steps: CartPole episodes end inside the segment, so the replay must reset the LSTM state there too.
        Assert.That(collector.Collect(() => false, (_, _) => { }, () => { }), Is.True);
        Assert.That(collector.Buffer.EpisodeStarts.Skip(3).Count(s => s), Is.GreaterThan(0), "an episode restarts inside the segment");
        var b = collector.Buffer;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var obs = tensor(b.Observations).reshape(40, 3, 4);
        var starts = tensor(b.EpisodeStarts.Select(s => s ? 1f : 0f).ToArray()).reshape(40, 3);
        var (h0, c0) = net.InitialState(3, CPU);
        var (actor, _) = net.Sequence(obs, starts, h0, c0);
        var lp = nn.functional.log_softmax(actor, 1).gather(1, tensor(b.Actions.Select(a => (long)a).ToArray()).unsqueeze(1)).squeeze(1);
        var replayed = lp.data<float>().ToArray();
        Assert.That(replayed, Is.EqualTo(b.LogProbs).Within(1e-4f));
    }
}
