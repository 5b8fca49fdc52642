using DeepRL.Agents.Torch;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;

namespace DeepRL.Tests.Agents;

/// <summary>
/// A user environment that allocates 64 KB per step (an image, a string, a message from another process) spends the
/// GC gate's 64 MiB no-GC budget every thousand steps. Training must collect early at safe points, never outside them.
/// </summary>
[Category("Learning")]
public class AllocatingEnvTests
{
    [TestCase("dqn", 12_000)]
    [TestCase("ppo", 12_288)]
    [TestCase("a2c", 12_000)]
    [TestCase("a3c", 12_000)]
    public void Training_on_an_env_that_allocates_64_KB_per_step_never_collects_outside_a_safe_point(string algo, int steps)
    {
        long before = GcGate.Collections;
        var hyperparameters = new Dictionary<string, object> { ["total_timesteps"] = steps };
        if (algo == "a3c") hyperparameters["workers"] = 2;
        if (algo == "dqn") hyperparameters["learning_starts"] = 500;
        using var agent = Agent.Create(algo, () => new AllocatingCorridor(), hyperparameters, name: "Allocating-v0");
        var summary = agent.Learn(steps);

        Assert.That(summary.Steps, Is.GreaterThanOrEqualTo(steps));
        long allocatedMiB = (long)summary.Steps * AllocatingCorridor.BytesPerStep >> 20;
        Assert.That(allocatedMiB, Is.GreaterThan(10 * (GcGate.Budget >> 20)), "the env alone passed the budget many times");
        Assert.That(summary.GcCollectionsOutsideSafePoints, Is.Zero, "every collection happened at a safe point");
        Assert.That(GcGate.Collections - before, Is.GreaterThan(allocatedMiB / (GcGate.Budget >> 20)), "collections happened, at safe points");
        TestContext.Out.WriteLine($"{algo}: {summary.Steps} steps, {allocatedMiB} MiB from the env, {GcGate.Collections - before} safe-point collections");
    }

    /// <summary>Walk right to the end of a corridor; every step renders a fresh 64 KB "frame" the env keeps until the next.</summary>
    private sealed class AllocatingCorridor : IEnvironment
    {
        public const int BytesPerStep = 64 * 1024;
        private readonly float[] _obs = new float[2];
        private readonly Rng _rng = new(1);
        private byte[] _frame = [];
        private int _t;

        public Box ObservationSpace { get; } = new([2], 0f, 20f);
        public Space ActionSpace { get; } = new Discrete(2);
        public EnvSpec? Spec { get; set; }

        public ResetResult Reset(int? seed = null)
        {
            if (seed is int s) _rng.Reseed((ulong)s);
            _obs[0] = _rng.NextInt(3);
            _obs[1] = 0;
            _t = 0;
            return new ResetResult(_obs, Info.Empty);
        }

        public StepResult Step(EnvAction action)
        {
            _frame = new byte[BytesPerStep];
            _frame[_t % BytesPerStep] = 1;
            _t++;
            _obs[0] = Math.Clamp(_obs[0] + (action.Discrete == 1 ? 1 : -1), 0, 20);
            _obs[1] = Math.Min(_t, 20);
            bool end = _obs[0] >= 20;
            return new StepResult(_obs, end ? 1f : -0.01f, end, !end && _t >= 100, Info.Empty);
        }

        public void Dispose()
        {
        }
    }
}
