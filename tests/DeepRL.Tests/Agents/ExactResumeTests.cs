using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using Microsoft.Extensions.Logging;

namespace DeepRL.Tests.Agents;

/// <summary>
/// A run stopped at an arbitrary step and resumed ends with exactly the weights, optimizer state and metrics of the
/// same run trained without a stop: the checkpoint holds the episodes in progress, the loop's schedules, pending n-step
/// transitions, partial rollouts and every random state. Stops fall mid-episode, mid-schedule and mid-rollout.
/// </summary>
[Category("Learning")]
public class ExactResumeTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-exact-").FullName;

    [TearDown]
    public void TearDown()
    {
        Directory.Delete(_out, recursive: true);
        EnvRegistry.Default.Unregister(PlainEnvId); // tests that walk every registered env must not meet it
    }

    private const string PlainEnvId = "Plain-Corridor-v0";

    private static readonly string[] Dqn =
        ["total_timesteps=2400", "learning_starts=300", "train_freq=4", "target_update_interval=250", "net_arch=16", "buffer_size=3000", "n_steps=3", "num_envs=2"];

    private static readonly string[] DqnPrioritized = [.. Dqn, "prioritized=true"];

    private static readonly string[] Ppo = ["total_timesteps=2560", "num_envs=4", "num_steps=64", "net_arch=16", "update_epochs=2", "num_minibatches=4"];

    private static readonly string[] PpoLstm = ["total_timesteps=2048", "num_envs=4", "num_steps=32", "policy=lstm", "lstm_hidden=8", "net_arch=8", "update_epochs=2", "num_minibatches=2"];

    private static readonly string[] PpoTransformer =
        ["total_timesteps=2048", "num_envs=4", "num_steps=32", "policy=transformer", "context_length=4", "transformer_layers=2", "transformer_dim=8", "net_arch=8", "update_epochs=2", "num_minibatches=2"];

    private static readonly string[] A2c = ["total_timesteps=2000", "num_envs=4", "num_steps=5", "net_arch=16"];

    private static readonly string[] A3cOneWorker = ["total_timesteps=2000", "workers=1", "envs_per_worker=2", "t_max=5", "net_arch=16"];

    private static readonly string[] A2cTransformer = ["total_timesteps=1600", "num_envs=2", "num_steps=8", "policy=transformer", "context_length=3", "transformer_dim=8", "net_arch=8"];

    private static readonly string[] A3cLstm = ["total_timesteps=1600", "workers=1", "envs_per_worker=2", "t_max=8", "policy=lstm", "lstm_hidden=8", "net_arch=8"];

    private static readonly string[] A3cTransformer =
        ["total_timesteps=1600", "workers=1", "envs_per_worker=2", "t_max=8", "policy=transformer", "context_length=3", "transformer_layers=2", "transformer_dim=8", "net_arch=8"];

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("dqn", "CartPole-v1", Dqn, 1111L).SetName("DQN CartPole (n-step, mid-schedule)");
        yield return new TestCaseData("dqn", "MinAtar/Breakout-v1", DqnPrioritized, 602L).SetName("DQN prioritized MinAtar Breakout (sticky actions)");
        yield return new TestCaseData("ppo", "CartPole-v1", Ppo, 1001L).SetName("PPO CartPole (mid-rollout)");
        yield return new TestCaseData("ppo", "CartPole-Masked-v1", PpoLstm, 901L).SetName("PPO LSTM CartPole-Masked (mid-rollout hidden state)");
        yield return new TestCaseData("ppo", "GridWorld-TMaze-v0", PpoTransformer, 901L).SetName("PPO transformer T-maze (mid-rollout context)");
        yield return new TestCaseData("a2c", "CartPole-Masked-v1", A2cTransformer, 707L).SetName("A2C transformer CartPole-Masked (mid-segment context)");
        yield return new TestCaseData("ppo", "TicTacToe-v0", Ppo, 777L).SetName("PPO TicTacToe (action masks)");
        yield return new TestCaseData("ppo", "CartPole-v1", Ppo, 1024L).SetName("PPO CartPole (stop on the last step of a rollout)");
        yield return new TestCaseData("a2c", "CartPole-v1", A2c, 1003L).SetName("A2C CartPole (mid-segment)");
        yield return new TestCaseData("a2c", "CartPole-v1", A2c, 1000L).SetName("A2C CartPole (stop on the last step of a segment)");
        yield return new TestCaseData("a3c", "MinAtar/Freeway-v1", A3cOneWorker, 999L).SetName("A3C one worker MinAtar Freeway (mid-segment)");
        yield return new TestCaseData("a3c", "CartPole-Masked-v1", A3cLstm, 701L).SetName("A3C one worker LSTM CartPole-Masked");
        yield return new TestCaseData("a3c", "GridWorld-TMaze-v0", A3cTransformer, 603L).SetName("A3C one worker transformer T-maze (two blocks)");
    }

    [TestCaseSource(nameof(Cases))]
    public void A_stopped_and_resumed_run_ends_bit_for_bit_like_an_uninterrupted_one(string algo, string env, string[] hyperparameters, long stopAt)
    {
        var options = TrainingHarness.Options(env, algo, seed: 5, hyperparameters, saveReplay: true, evalEvery: 1000, evalEpisodes: 3);
        var (uninterrupted, whole) = TrainingHarness.Train(options, Path.Combine(_out, "whole"));

        var (stopped, split) = TrainingHarness.Train(options, Path.Combine(_out, "split"), new TrainingHarness.StopAt(stopAt));
        Assert.That(stopped.Status, Is.EqualTo("interrupted"));
        Assert.That(stopped.Steps, Is.LessThan(uninterrupted.Steps));
        var resumed = TrainingHarness.Resume(split);

        Assert.That(resumed.Steps, Is.EqualTo(uninterrupted.Steps));
        foreach (string file in CheckpointFiles(whole))
            Assert.That(Bytes(split, file), Is.EqualTo(Bytes(whole, file)), $"{file} differs from the uninterrupted run's");
        Assert.That(resumed.Episodes, Is.EqualTo(uninterrupted.Episodes));
        Assert.That(resumed.FinalEval?.MeanReturn, Is.EqualTo(uninterrupted.FinalEval?.MeanReturn));
        Assert.That(EpisodeRows(split), Is.EqualTo(EpisodeRows(whole)), "the same training episodes, in the same order");
    }

    /// <summary>The comparison above is not vacuous: without the loop state, the same resume ends with other weights.</summary>
    [Test]
    public void Without_its_loop_state_a_resume_is_only_reproducible_not_exact()
    {
        var options = TrainingHarness.Options("CartPole-v1", "ppo", seed: 5, Ppo, saveReplay: true);
        var (_, whole) = TrainingHarness.Train(options, Path.Combine(_out, "whole"));
        var (_, split) = TrainingHarness.Train(options, Path.Combine(_out, "split"), new TrainingHarness.StopAt(1001));
        string latest = split.Checkpoint(RunStore.LatestCheckpoint);
        File.Delete(Path.Combine(latest, LoopState.FileName));
        CheckpointManifest.Write(latest); // an older checkpoint format, still intact
        TrainingHarness.Resume(split);
        Assert.That(Bytes(split, "model.pt"), Is.Not.EqualTo(Bytes(whole, "model.pt")));
    }

    /// <summary>PPO's loop state gained the collector's generator (format 2): a format-1 file is not misread but named.</summary>
    [Test]
    public void A_loop_state_of_an_older_format_resumes_reproducibly_and_the_run_says_why()
    {
        var options = TrainingHarness.Options("CartPole-v1", "ppo", seed: 5, Ppo);
        var (_, split) = TrainingHarness.Train(options, _out, new TrainingHarness.StopAt(1001));
        string latest = split.Checkpoint(RunStore.LatestCheckpoint);
        string loop = Path.Combine(latest, LoopState.FileName);
        var bytes = File.ReadAllBytes(loop);
        int versionAt = 1 + "DEEPRL-LOOP".Length; // after the length-prefixed magic string
        Assert.That(BitConverter.ToInt32(bytes, versionAt), Is.EqualTo(2), "PPO writes loop format 2");
        BitConverter.GetBytes(1).CopyTo(bytes, versionAt);
        File.WriteAllBytes(loop, bytes);
        CheckpointManifest.Write(latest); // an intact checkpoint of the older format
        var log = new ListLogger();
        var resumed = TrainingHarness.Resume(split, log: log);
        Assert.That(resumed.Status, Is.EqualTo("completed"));
        Assert.That(log.Warnings, Has.One.Contains("ppo loop format 1, this DeepRL reads format 2").And.Contains("not exact"));
    }

    [Test]
    public void An_env_that_cannot_snapshot_itself_resumes_as_before_and_the_run_says_why()
    {
        EnvRegistry.Default.Register(new EnvSpec(PlainEnvId, _ => new PlainCorridor(), MaxEpisodeSteps: 40));
        var options = TrainingHarness.Options(PlainEnvId, "ppo", seed: 5, Ppo);
        var (stopped, split) = TrainingHarness.Train(options, _out, new TrainingHarness.StopAt(1001));
        Assert.That(stopped.Status, Is.EqualTo("interrupted"));
        var log = new ListLogger();
        var resumed = TrainingHarness.Resume(split, log: log);
        Assert.That(resumed.Status, Is.EqualTo("completed"));
        Assert.That(resumed.Steps, Is.EqualTo(2560));
        Assert.That(log.Warnings, Has.One.Contains($"{PlainEnvId} could not save its state ({nameof(PlainCorridor)} does not implement ISnapshotable)")
            .And.Contains("not exact"));
    }

    /// <summary>A user env without <see cref="ISnapshotable"/>: walk right to reach the end.</summary>
    private sealed class PlainCorridor : IEnvironment
    {
        private readonly float[] _obs = new float[1];
        private readonly Rng _rng = new(1);
        public Box ObservationSpace { get; } = new([1], 0f, 10f);
        public Space ActionSpace { get; } = new Discrete(2);
        public EnvSpec? Spec { get; set; }

        public ResetResult Reset(int? seed = null)
        {
            if (seed is int s) _rng.Reseed((ulong)s);
            _obs[0] = _rng.NextInt(3);
            return new ResetResult(_obs, Info.Empty);
        }

        public StepResult Step(EnvAction action)
        {
            _obs[0] = Math.Clamp(_obs[0] + (action.Discrete == 1 ? 1 : -1), 0, 10);
            return new StepResult(_obs, _obs[0] >= 10 ? 1f : 0f, _obs[0] >= 10, false, Info.Empty);
        }

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) Warnings.Add(formatter(state, exception));
        }
    }

    private static IEnumerable<string> CheckpointFiles(RunDirectory dir) =>
        Directory.GetFiles(dir.Checkpoint(RunStore.LatestCheckpoint))
            .Select(Path.GetFileName)
            .Where(name => name is not ("run.json" or CheckpointManifest.FileName)) // run.json holds wall-clock time
            .Select(name => name!)
            .Order();

    private static byte[] Bytes(RunDirectory dir, string file) => File.ReadAllBytes(Path.Combine(dir.Checkpoint(RunStore.LatestCheckpoint), file));

    /// <summary>metrics.csv's step, episode, return and length (the other columns are wall-clock or latest-loss readings).</summary>
    private static List<string> EpisodeRows(RunDirectory dir)
    {
        var lines = File.ReadAllLines(dir.MetricsFile);
        var header = lines[0].Split(',');
        int[] keep = header.Select((name, i) => (name, i)).Where(c => c.name is "step" or "episode" or "return" or "length").Select(c => c.i).ToArray();
        return lines.Skip(1).Select(l => string.Join(',', keep.Select(i => l.Split(',')[i]))).ToList();
    }
}
