using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;

namespace DeepRL.Tests.Environments;

/// <summary>What a vector env refuses before an agent can learn from it: non-finite final observations, states with no valid action.</summary>
[Category("Fast")]
public class VectorEnvGuardTests
{
    [Test]
    public void A_non_finite_final_observation_stops_the_step_naming_env_and_step()
    {
        // The observation space is unbounded, so only the finiteness check can catch it; the NaN is in the final
        // observation only (the auto-reset observation after it is clean) — what value bootstrapping reads.
        using var venv = new SyncVectorEnv([new Scripted(nanFinalAt: 3, noValidAt: -1), new Scripted(-1, -1)]);
        venv.Reset(0);
        venv.Step([0, 0]);
        venv.Step([0, 0]);
        var ex = Assert.Throws<NonFiniteValueException>(() => venv.Step([0, 0]));
        Assert.That(ex!.Message, Does.Contain("non-finite final observation").And.Contain("Scripted-v0").And.Contain("env 0 at step 3"));
    }

    [Test]
    public void A_threaded_vector_env_reports_a_workers_fault_with_its_own_type()
    {
        // The checks run on the thread that stepped the range; the fault in env 3 (the second thread's range) reaches
        // the caller as the NonFiniteValueException it is, not wrapped, and the vector env stays usable for Dispose.
        var envs = Enumerable.Range(0, 4).Select(i => (IEnvironment)new Scripted(nanFinalAt: i == 3 ? 2 : -1, noValidAt: -1)).ToArray();
        using var venv = new ThreadedVectorEnv(envs, threads: 2);
        venv.Reset(0);
        venv.Step([0, 0, 0, 0]);
        var ex = Assert.Throws<NonFiniteValueException>(() => venv.Step([0, 0, 0, 0]));
        Assert.That(ex!.Message, Does.Contain("non-finite final observation").And.Contain("env 3 at step 2"));
    }

    [Test]
    public void CartPoles_struct_of_arrays_vector_env_passes_the_batch_check_through_many_resets()
    {
        // The batch check now covers CartPole's own vector env too: its declared bounds must hold for every row it produces.
        using var venv = VectorEnvs.Make("CartPole-v1", 8);
        Assert.That(venv, Is.TypeOf<CartPoleVectorEnv>());
        venv.Reset(0);
        for (int t = 0; t < 600; t++) venv.Step(new int[8]); // many episodes end and reset: every row stays valid
        Assert.That(venv.SingleObservationSpace.FirstInvalid(venv.Observations), Is.EqualTo(-1));
    }

    [Test]
    public void A_state_with_no_valid_action_is_refused_naming_env_and_step()
    {
        using var venv = new SyncVectorEnv([new Scripted(-1, -1), new Scripted(nanFinalAt: -1, noValidAt: 2)]);
        venv.Reset(0);
        venv.Step([0, 0]);
        var ex = Assert.Throws<InvalidActionException>(() => venv.Step([0, 0]));
        Assert.That(ex!.Message, Does.Contain("marks no action valid in env 1 at step 2").And.Contain("Scripted-v0"));
    }

    [Test]
    public void Training_on_an_env_with_a_state_without_valid_actions_stops_with_that_message()
    {
        using var agent = Agent.Create("ppo", () => new Scripted(nanFinalAt: -1, noValidAt: 4), name: "Scripted-v0");
        var ex = Assert.Catch<Exception>(() => agent.Learn(512));
        Assert.That(ex!.Message, Does.Contain("marks no action valid").And.Contain("at step 4"));
    }

    /// <summary>Episodes of 5 steps; optionally a NaN in the final observation at a step, or an all-false mask at a step.</summary>
    private sealed class Scripted(int nanFinalAt, int noValidAt) : IEnvironment, IActionMasking
    {
        private readonly float[] _obs = new float[1];
        private int _t;

        public Box ObservationSpace { get; } = new([1], float.NegativeInfinity, float.PositiveInfinity);
        public Space ActionSpace { get; } = new Discrete(2);
        public EnvSpec? Spec { get; set; } = new("Scripted-v0", _ => throw new NotSupportedException());

        public ResetResult Reset(int? seed = null)
        {
            _t = 0;
            _obs[0] = 0;
            return new ResetResult(_obs, Info.Empty);
        }

        public StepResult Step(EnvAction action)
        {
            _t++;
            bool end = _t == 5 || _t == nanFinalAt;
            _obs[0] = end && _t == nanFinalAt ? float.NaN : _t;
            return new StepResult(_obs, 1f, end, false, Info.Empty);
        }

        public void WriteActionMask(Span<bool> valid)
        {
            valid.Fill(_t != noValidAt);
        }

        public void Dispose()
        {
        }
    }
}
