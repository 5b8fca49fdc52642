using DeepRL.Agents;
using DeepRL.Agents.A3c;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

/// <summary>Defects found in review, each with the test that caught it.</summary>
[Category("Learning")]
public class CorrectnessFixTests
{
    [Test]
    public void Recurrent_ppo_normalises_advantages_when_a_minibatch_holds_one_env()
    {
        // 2 envs, 2 minibatches: each minibatch is one env's whole sequence (32 samples). With normalised advantages the
        // first update's policy loss is about −mean(normalised advantage) = 0; without, it is −mean(advantage), which on
        // CartPole (reward 1 per step, values near 0 at the start) is several units.
        using var agent = Agent.Create("ppo", "CartPole-v1", new Dictionary<string, object>
        {
            ["policy"] = "lstm", ["num_envs"] = 2, ["num_steps"] = 32, ["num_minibatches"] = 2, ["update_epochs"] = 1, ["norm_adv"] = true,
        });
        double? policyLoss = null;
        var probe = new FirstScalar("policy_loss", v => policyLoss ??= v);
        agent.Train(observer: probe, stop: default);
        Assert.That(policyLoss, Is.Not.Null);
        TestContext.Out.WriteLine($"first update's policy loss {policyLoss}");
        Assert.That(Math.Abs(policyLoss!.Value), Is.LessThan(0.2));
    }

    [Test]
    public void An_a3c_worker_whose_update_is_skipped_picks_up_the_global_weights()
    {
        // Worker 0's env pays 3e38 per step, so its losses overflow and every one of its updates is skipped (on_nan: skip);
        // worker 1 learns normally. After each skipped update worker 0's copy must equal the global network.
        var registry = new EnvRegistry();
        registry.Register(new EnvSpec("Overflow-v0", _ => new OverflowForWorkerZero(), 50));
        var options = TrainingHarness.Options("Overflow-v0", "a3c", 1, ["workers=2", "envs_per_worker=1", "total_timesteps=3000"]) with { OnNan = "skip" };
        var (impl, total) = AgentCatalog.Create(options, new Box([1], -1f, 1f), new Discrete(2), CPU);
        using var agent = (A3cAgent)impl;
        int skipped = 0, mismatched = 0, appliedByOther = 0;
        agent.AfterSync = (worker, applied, local, global) =>
        {
            if (worker == 1 && applied) appliedByOther++;
            if (worker != 0 || applied) return;
            skipped++;
            if (!local.Zip(global).All(p => p.First.data<float>().ToArray().SequenceEqual(p.Second.data<float>().ToArray()))) mismatched++;
        };
        using var run = TrainingRun.CreateInMemory(options, agent, total, registry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var summary = run.Train();
        TestContext.Out.WriteLine($"{skipped} skipped updates of worker 0, {appliedByOther} applied by worker 1, {summary.SkippedUpdates} skipped in all");
        Assert.That(skipped, Is.GreaterThan(10));
        Assert.That(appliedByOther, Is.GreaterThan(10), "the global network moved meanwhile");
        Assert.That(mismatched, Is.Zero, "a skipped worker never keeps stale weights");
    }

    [TestCase("ppo", "CartPole-v1")]
    [TestCase("dqn", "GridWorld-FourRooms-v0")]
    public void Evaluate_with_and_without_an_env_plays_the_same_episodes(string algo, string envId)
    {
        using var agent = Agent.Create(algo, envId, new Dictionary<string, object> { ["total_timesteps"] = 3000 });
        agent.Learn();
        var byId = agent.Evaluate(episodes: 12, seed: 40);
        using var env = EnvRegistry.Default.Make(envId);
        var byInstance = agent.Evaluate(episodes: 12, seed: 40, env: env);
        Assert.That(byInstance.Returns, Is.EqualTo(byId.Returns), "the same returns, episode for episode");
        Assert.That(byInstance.Lengths, Is.EqualTo(byId.Lengths));
    }

    /// <summary>The first value a run logs for a scalar (read on the training thread).</summary>
    private sealed class FirstScalar(string name, Action<double> seen) : ITrainingObserver
    {
        public void Stepped(TrainingRun run)
        {
            if (run.Metrics.Latest(name) is double v)
            {
                seen(v);
                run.RequestStop();
            }
        }

        public void Progress(TrainingStatus status)
        {
        }

        public void Message(string text)
        {
        }
    }

    /// <summary>Reward 3e38 (finite, but its squared error overflows) in the env seeded first with 1, i.e. A3C worker 0's; 1 elsewhere.</summary>
    private sealed class OverflowForWorkerZero : IEnvironment
    {
        private readonly float[] _obs = [0f];
        private bool _overflow;
        private bool _seeded;
        private int _t;

        public Box ObservationSpace { get; } = new([1], -1f, 1f);
        public Space ActionSpace { get; } = new Discrete(2);
        public EnvSpec? Spec { get; set; }

        public ResetResult Reset(int? seed = null)
        {
            if (!_seeded && seed is int s)
            {
                _overflow = s == 1;
                _seeded = true;
            }
            _t = 0;
            return new ResetResult(_obs, Info.Empty);
        }

        public StepResult Step(EnvAction action) => new(_obs, _overflow ? 3e38f : 1f, ++_t >= 20, false, Info.Empty);

        public void Dispose()
        {
        }
    }
}
