using System.Text.Json;
using DeepRL.Agents;
using DeepRL.Agents.Config;
using DeepRL.Agents.Distributed;
using DeepRL.Agents.Impala;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Vector;
using DeepRL.Environments.Wrappers;
using DeepRL.Tests.Cli;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

/// <summary>IMPALA: the learner's replay of actors' unrolls, learning, the queue bound, failing actors, stop and resume.</summary>
[Category("Learning")]
public class ImpalaTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-impala-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    private static ImpalaConfig Config(string env, params string[] overrides) =>
        AgentCatalog.ResolveHyperparameters("impala", env, null, overrides).Deserialize<ImpalaConfig>(HyperparameterResolver.Json)!;

    private static IEnumerable<TestCaseData> Policies()
    {
        yield return new TestCaseData("CartPole-v1", new[] { "net_arch=16" }, true).SetName("IMPALA replay: MLP (CartPole)");
        yield return new TestCaseData("CartPole-Masked-v1", new[] { "policy=lstm", "lstm_hidden=8", "net_arch=8" }, true).SetName("IMPALA replay: LSTM across episode ends (CartPole-Masked)");
        yield return new TestCaseData("GridWorld-TMaze-v0", new[] { "policy=transformer", "context_length=4", "transformer_dim=16" }, true).SetName("IMPALA replay: transformer (T-maze)");
        yield return new TestCaseData("MinAtar/Breakout-v1", new[] { "net_arch=32" }, true).SetName("IMPALA replay: CNN (MinAtar Breakout)");
        yield return new TestCaseData("TicTacToe-v0", new[] { "net_arch=16" }, true).SetName("IMPALA replay: action masks (TicTacToe)");
        yield return new TestCaseData("Pendulum-v1", new[] { "net_arch=16" }, false).SetName("IMPALA replay: Gaussian actions (Pendulum)");
    }

    /// <summary>
    /// With the weights the actor acted with, the learner's replay of its unrolls — laid side by side, an LSTM from each
    /// unroll's initial state and reset at episode starts, masks applied — gives the behaviour log-probabilities back:
    /// every importance ratio is 1. Any layout, state or mask mistake shows up as ratios ≠ 1.
    /// </summary>
    [TestCaseSource(nameof(Policies))]
    [Category("Fast")]
    public void The_learner_replays_an_actors_unrolls_exactly_when_it_holds_the_same_weights(string envId, string[] overrides, bool episodesEnd)
    {
        var config = Config(envId, ["unroll_length=24", "envs_per_actor=3", .. overrides]);
        using var probe = EnvRegistry.Default.Make(envId);
        using var learner = new ImpalaLearner(config, probe.ObservationSpace, probe.ActionSpace, CPU);
        using var envs = VectorEnvs.Make(envId, 3, VectorMode.Sync);
        learner.Masked = envs.ActionMasks is not null;
        envs.Reset(11);
        using var actor = new ImpalaActor(0, config, probe.ObservationSpace, probe.ActionSpace, envs, seed: 5);
        actor.Load(learner.Publish());
        var first = actor.Collect(CancellationToken.None)!;
        var second = actor.Collect(CancellationToken.None)!; // starts from the state the first one ended in
        foreach (var u in new[] { first, second }) Assert.That(learner.Check(u), Is.Null);
        if (episodesEnd) // Pendulum's 200-step episodes do not end inside 48 steps
            Assert.That(first.EpisodeStarts.Skip(3).Any(s => s) || second.EpisodeStarts.Skip(3).Any(s => s), Is.True, "the unrolls cross episode ends");

        var (behaviour, target) = learner.LogProbabilities([second, first]);
        Assert.That(behaviour.Length, Is.EqualTo(2 * 24 * 3));
        for (int i = 0; i < behaviour.Length; i++)
            Assert.That(target[i], Is.EqualTo(behaviour[i]).Within(1e-4), $"row {i}: the replay must compute what acting computed");
    }

    private (ImpalaAgent Agent, TrainingRun Run) ImpalaRun(long steps, string[] overrides, string env = "CartPole-v1", ITrainingObserver? observer = null)
    {
        var options = TrainingHarness.Options(env, "impala", seed: 2, [$"total_timesteps={steps}", .. overrides], checkpointEvery: 2000);
        using var probe = EnvRegistry.Default.Make(env);
        var config = options.Hyperparameters.Deserialize<ImpalaConfig>(HyperparameterResolver.Json)!;
        var agent = new ImpalaAgent(config, probe.ObservationSpace, probe.ActionSpace, CPU, 2);
        return (agent, TrainingRun.Create(options, agent, steps, _out, EnvRegistry.Default, NullLogger.Instance, observer));
    }

    [Test]
    public void Impala_learns_cartpole_and_reports_policy_lag_and_both_throughputs()
    {
        // Actors and learner race, so the run is not reproducible: fifteen evaluations keep one unlucky point from deciding.
        var options = TrainingHarness.Options("CartPole-v1", "impala", seed: 2, ["total_timesteps=150000"], evalEvery: 10_000, evalEpisodes: 20);
        var (summary, dir) = TrainingHarness.Train(options, _out);
        TestContext.Out.WriteLine($"best {summary.BestEval!.MeanReturn} at {summary.BestEval.Step}; {JsonSerializer.Serialize(summary.AlgorithmStatistics)}");
        Assert.That(summary.BestEval.MeanReturn, Is.GreaterThan(150), "random play averages about 22");
        var stats = summary.AlgorithmStatistics!;
        Assert.That(stats["updates"], Is.GreaterThan(100));
        Assert.That(stats["policy_lag_mean"], Is.GreaterThanOrEqualTo(0).And.LessThanOrEqualTo(stats["policy_lag_max"]));
        Assert.That(stats["policy_lag_p95"], Is.LessThanOrEqualTo(stats["policy_lag_max"]));
        Assert.That(stats["actor_steps_per_second"], Is.GreaterThan(0));
        Assert.That(stats["learner_steps_per_second"], Is.GreaterThan(0));
        // TensorBoard's event files name their scalars in plain text.
        string events = string.Concat(Directory.GetFiles(Path.Combine(dir.Path, "tensorboard"), "*", SearchOption.AllDirectories)
            .Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        foreach (string tag in new[] { "policy_lag_mean", "policy_lag_p95", "policy_lag_max", "actor_steps_per_second", "learner_steps_per_second", "rss_mb" })
            Assert.That(events, Does.Contain("train/" + tag));
    }

    [Test]
    public void A_slow_learner_holds_the_actors_to_the_queue_bound()
    {
        var (agent, run) = ImpalaRun(6000, ["actors=2", "envs_per_actor=2", "unroll_length=10", "batch_size=1", "queue_capacity=3"]);
        using var _ = agent;
        using var __ = run;
        agent.BeforeUpdate = _ => Thread.Sleep(20); // a learner far slower than its actors
        var summary = run.Train();
        var stats = summary.AlgorithmStatistics!;
        TestContext.Out.WriteLine(JsonSerializer.Serialize(stats));
        Assert.That(agent.QueueHighWater, Is.EqualTo(3), "the queue filled up to its bound and never past it");
        // Sent but not trained on: at most the queue's 3 unrolls and a partial batch (none here) of 2 × 10 steps each.
        Assert.That(stats["actor_steps"] - stats["trained_steps"], Is.LessThanOrEqualTo(3 * 20));
        Assert.That(stats["actor_wait_seconds"], Is.GreaterThan(1), "the actors waited for the learner instead of piling up unrolls");
        Assert.That(stats["policy_lag_max"], Is.GreaterThanOrEqualTo(1), "queued unrolls are older than the learner's weights");
    }

    private sealed class ThrowAfter(IEnvironment inner, int steps) : Wrapper(inner)
    {
        private int _steps;

        public override StepResult Step(EnvAction action) =>
            ++_steps > steps ? throw new InvalidOperationException("simulated env crash") : Inner.Step(action);
    }

    [Test]
    public void An_actor_that_throws_fails_the_run_naming_it_instead_of_hanging()
    {
        var registry = EnvRegistry.Default;
        if (!registry.Contains("CrashingCartPole-v0"))
            registry.Register(new EnvSpec("CrashingCartPole-v0", _ => new ThrowAfter(new DeepRL.Environments.Classic.CartPole(), 700), 500));
        var (agent, run) = ImpalaRun(1_000_000, ["actors=2", "envs_per_actor=2"], env: "CrashingCartPole-v0");
        using var _ = agent;
        using var __ = run;
        var training = Task.Run(run.Train);
        bool ended;
        try
        {
            ended = training.Wait(TimeSpan.FromSeconds(60));
        }
        catch (AggregateException)
        {
            ended = true;
        }
        Assert.That(ended, Is.True, "the run must end, not hang");
        var ex = training.Exception?.InnerException;
        Assert.That(ex, Is.TypeOf<ActorFailedException>());
        Assert.That(ex!.Message, Does.Match(@"^Actor [01] failed after \d+ env steps: simulated env crash$"));
        Assert.That(run.Step, Is.LessThan(1_000_000));
    }

    [Test]
    public void Stopping_checkpoints_the_learner_and_resume_continues_its_version()
    {
        var stop = new TrainingHarness.StopAt(4000);
        var (agent, run) = ImpalaRun(1_000_000, ["actors=2", "envs_per_actor=4", "net_arch=16"], observer: stop);
        RunDirectory dir;
        long versionAtStop;
        using (agent)
        using (run)
        {
            stop.Run = run;
            var interrupted = run.Train();
            Assert.That(interrupted.Status, Is.EqualTo("interrupted"));
            dir = run.Directory;
            versionAtStop = agent.Version;
        }
        string latest = dir.Checkpoint("latest");
        Assert.That(File.Exists(Path.Combine(latest, "optimizer.pt")), Is.True);
        using (var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(latest, "impala.json"))))
            Assert.That(state.RootElement.GetProperty("Version").GetInt64(), Is.EqualTo(versionAtStop).And.GreaterThan(0));

        long target = RunStore.CheckpointStep(latest) + 4000;
        var resumed = TrainingHarness.Resume(dir, totalSteps: target);
        Assert.That(resumed.Status, Is.EqualTo("completed"));
        Assert.That(resumed.Steps, Is.GreaterThanOrEqualTo(target));
        Assert.That(resumed.AlgorithmStatistics!["updates"], Is.GreaterThan(versionAtStop), "the version counts on from the checkpoint");
    }

    [Test]
    public void The_cli_trains_impala_with_actors_and_refuses_actors_for_other_algorithms()
    {
        var ok = CliRunner.Run(["train", "--env", "CartPole-v1", "--algo", "impala", "--actors", "1", "--steps", "4000", "--out", _out,
            "--no-progress", "--eval-every", "0", "--final-eval-episodes", "3"]);
        Assert.That(ok.ExitCode, Is.Zero, ok.Error);
        Assert.That(ok.Output + ok.Error, Does.Match(@"actors [\d.]+k?/s · learner [\d.]+k?/s · lag \d+\.\d"), "the progress line shows both throughputs");
        string run = Directory.GetDirectories(_out).Single();
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.That(config.RootElement.GetProperty("hyperparameters").GetProperty("actors").GetInt32(), Is.EqualTo(1));

        var refused = CliRunner.Run(["train", "--env", "CartPole-v1", "--algo", "ppo", "--actors", "2", "--out", _out]);
        Assert.That(refused.ExitCode, Is.EqualTo(2));
        Assert.That(refused.Error, Does.Contain("--actors applies to --algo impala only"));
        var none = CliRunner.Run(["train", "--env", "CartPole-v1", "--algo", "impala", "--actors", "0", "--out", _out]);
        Assert.That(none.ExitCode, Is.EqualTo(2));
        Assert.That(none.Error, Does.Contain("--actors 0 leaves IMPALA without actors: give --cluster HOST:PORT"));
        Assert.That(Directory.GetDirectories(_out), Has.Length.EqualTo(1), "no run folder for a refused command");
    }
}
