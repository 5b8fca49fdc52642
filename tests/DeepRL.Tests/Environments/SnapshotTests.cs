using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using DeepRL.Environments.Wrappers;

namespace DeepRL.Tests.Environments;

/// <summary>
/// Every built-in env, wrapper and vector env restores its state exactly: an env loaded from a snapshot taken in the
/// middle of an episode continues with the same observations, rewards and endings as the env it was taken from —
/// including the random draws (resets, sticky actions, slips, spawns) that follow.
/// </summary>
[Category("Fast")]
public class SnapshotTests
{
    private const int Warmup = 300, Continuation = 1500;

    [TestCaseSource(typeof(RegistryTests), nameof(RegistryTests.AllIds))]
    public void A_registered_env_continues_exactly_after_a_restore(string id)
    {
        AssertContinuesExactly(() => EnvRegistry.Default.Make(id));
    }

    [Test]
    public void Every_wrapper_continues_exactly_after_a_restore()
    {
        AssertContinuesExactly(() =>
            new RecordEpisodeStatistics(new NormalizeReward(new NormalizeObservation(new FrameStack(
                new StickyActions(EnvRegistry.Default.Make("MinAtar/Seaquest-v1"), 0.3), 3)))));
        AssertContinuesExactly(() => new NormalizeObservation(new TimeLimit(EnvRegistry.Default.Make("Pendulum-v1"), 50)));
    }

    [Test]
    public void A_snapshot_does_not_load_into_a_differently_built_env()
    {
        using var source = new FrameStack(EnvRegistry.Default.Make("CartPole-v1"), 2);
        source.Reset(1);
        var bytes = Snapshot(source);
        using var other = EnvRegistry.Default.Make("CartPole-v1");
        var ex = Assert.Throws<InvalidDataException>(() => Restore(other, bytes));
        Assert.That(ex!.Message, Does.Contain("FrameStack").And.Contain("TimeLimit"));
    }

    [Test]
    public void A_user_env_without_snapshots_is_named_as_the_blocker()
    {
        var env = new TimeLimit(new Corridor(), 10);
        Assert.That(EnvSnapshots.Blocker(env), Is.EqualTo(nameof(Corridor)));
        Assert.That(EnvSnapshots.Blocker(EnvRegistry.Default.Make("MinAtar/Breakout-v1")), Is.Null);
        using var venv = new SyncVectorEnv([new Corridor(), new Corridor()]);
        Assert.That(((ISnapshotable)venv).SnapshotBlocker, Is.EqualTo(nameof(Corridor)));
    }

    [TestCase("CartPole-v1", false)] // the struct-of-arrays CartPoleVectorEnv
    [TestCase("CartPole-v1", true)]
    [TestCase("MinAtar/Breakout-v1", false)]
    [TestCase("TicTacToe-v0", false)] // action masks
    [TestCase("GridWorld-FrozenLake-8x8-v0", false)] // slippery: random moves
    public void A_vector_env_continues_exactly_after_a_restore(string id, bool generic)
    {
        IVectorEnvironment Make() => VectorEnvs.Make(id, 4, generic: generic);
        using var source = Make();
        source.Reset(3);
        var rng = new Rng(11);
        for (int t = 0; t < Warmup; t++) source.Step(RandomActions(source, rng));
        var bytes = SnapshotVector((ISnapshotable)source);

        using var restored = Make();
        restored.Reset(12345); // a different state, to be overwritten
        var other = new Rng(77);
        for (int t = 0; t < Warmup / 3; t++) restored.Step(RandomActions(restored, other));
        RestoreVector((ISnapshotable)restored, bytes);
        Assert.That(restored.Observations, Is.EqualTo(source.Observations));
        var a = new Rng(99);
        var b = new Rng(99);
        for (int t = 0; t < Continuation; t++)
        {
            source.Step(RandomActions(source, a));
            restored.Step(RandomActions(restored, b));
            Assert.That(restored.Observations, Is.EqualTo(source.Observations), $"observations at step {t}");
            Assert.That(restored.Rewards, Is.EqualTo(source.Rewards), $"rewards at step {t}");
            Assert.That(restored.Terminated, Is.EqualTo(source.Terminated), $"terminated at step {t}");
            Assert.That(restored.Truncated, Is.EqualTo(source.Truncated), $"truncated at step {t}");
            Assert.That(restored.FinishedEpisodeReturns, Is.EqualTo(source.FinishedEpisodeReturns), $"episode returns at step {t}");
            Assert.That(restored.FinishedEpisodeLengths, Is.EqualTo(source.FinishedEpisodeLengths), $"episode lengths at step {t}");
        }
    }

    /// <summary>
    /// Snapshots at several points of a random run, each restored into an env that has lived a different life (other
    /// seed, other steps), so a field missing from the snapshot shows up as a divergence.
    /// </summary>
    private static void AssertContinuesExactly(Func<IEnvironment> make)
    {
        foreach (int warmup in new[] { 40, Warmup, 3 * Warmup })
        {
            using var source = make();
            source.Reset(7);
            var rng = new Rng(5);
            for (int t = 0; t < warmup; t++) StepOrReset(source, rng);
            var bytes = Snapshot(source);

            using var restored = make();
            restored.Reset(4242);
            var other = new Rng(77);
            for (int t = 0; t < warmup / 2 + 13; t++) StepOrReset(restored, other);
            Restore(restored, bytes);
            var a = new Rng(21);
            var b = new Rng(21);
            for (int t = 0; t < Continuation; t++)
            {
                var (obsA, rewardA, doneA) = StepOrReset(source, a);
                var (obsB, rewardB, doneB) = StepOrReset(restored, b);
                Assert.That(obsB, Is.EqualTo(obsA), $"observation at step {t} after a snapshot at step {warmup}");
                Assert.That(rewardB, Is.EqualTo(rewardA), $"reward at step {t} after a snapshot at step {warmup}");
                Assert.That(doneB, Is.EqualTo(doneA), $"episode end at step {t} after a snapshot at step {warmup}");
            }
        }
    }

    /// <summary>One random (valid) action, or a reset when the last step ended the episode; returns a copy of the observation.</summary>
    private static (float[] Obs, float Reward, bool Done) StepOrReset(IEnvironment env, Rng rng)
    {
        var result = env.Step(RandomAction(env, rng));
        var obs = (float[])result.Observation.Clone();
        if (result.Done) env.Reset();
        return (obs, result.Reward, result.Done);
    }

    private static EnvAction RandomAction(IEnvironment env, Rng rng)
    {
        if (env.ActionSpace is Box box)
        {
            var values = new float[box.FlatSize];
            box.Sample(rng, values);
            return new EnvAction(values);
        }
        int n = ((Discrete)env.ActionSpace).N;
        if (ActionMask.Of(env) is not { } masking) return rng.NextInt(n);
        var valid = new bool[n];
        masking.WriteActionMask(valid);
        return ActionMask.SampleValid(rng, n, valid);
    }

    private static int[] RandomActions(IVectorEnvironment envs, Rng rng)
    {
        int n = ((Discrete)envs.SingleActionSpace).N;
        var actions = new int[envs.NumEnvs];
        for (int i = 0; i < actions.Length; i++)
            actions[i] = envs.ActionMasks is { } m ? ActionMask.SampleValid(rng, n, m.AsSpan(i * n, n)) : rng.NextInt(n);
        return actions;
    }

    private static byte[] Snapshot(IEnvironment env)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) EnvSnapshots.Save(env, writer);
        return stream.ToArray();
    }

    private static void Restore(IEnvironment env, byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        EnvSnapshots.Load(env, reader);
        Assert.That(reader.BaseStream.Position, Is.EqualTo(bytes.Length), "the restore reads the whole snapshot");
    }

    private static byte[] SnapshotVector(ISnapshotable venv)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) venv.SaveState(writer);
        return stream.ToArray();
    }

    private static void RestoreVector(ISnapshotable venv, byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        venv.LoadState(reader);
        Assert.That(reader.BaseStream.Position, Is.EqualTo(bytes.Length), "the restore reads the whole snapshot");
    }

    /// <summary>A user env that does not implement <see cref="ISnapshotable"/>.</summary>
    private sealed class Corridor : IEnvironment
    {
        private readonly float[] _obs = new float[1];
        public Box ObservationSpace { get; } = new([1], 0f, 10f);
        public Space ActionSpace { get; } = new Discrete(2);
        public EnvSpec? Spec { get; set; }
        public ResetResult Reset(int? seed = null) => new(_obs, Info.Empty);
        public StepResult Step(EnvAction action) => new(_obs, 0f, false, false, Info.Empty);

        public void Dispose()
        {
        }
    }
}
