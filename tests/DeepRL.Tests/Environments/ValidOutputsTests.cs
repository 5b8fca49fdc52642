using DeepRL.Environments;
using DeepRL.Environments.GridWorlds;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using DeepRL.Environments.Wrappers;

namespace DeepRL.Tests.Environments;

/// <summary>
/// Vector envs skip their per-step output checks for envs that claim valid outputs by construction (IValidOutputs). These
/// tests hold the built-ins to that claim and make sure no other env, nor a wrapper that changes outputs, gets past the checks.
/// </summary>
[Category("Fast")]
public class ValidOutputsTests
{
    public static IEnumerable<string> ClaimingIds =>
        EnvRegistry.Default.Ids.Where(id => { using var env = EnvRegistry.Default.Make(id); return ValidOutputs.Of(env); });

    [Test]
    public void The_gridworlds_and_MinAtar_games_claim_valid_outputs_and_nothing_else_does()
    {
        var claiming = ClaimingIds.ToList();
        Assert.That(claiming, Has.Some.StartsWith("GridWorld-").And.Some.StartsWith("MinAtar/"));
        Assert.That(claiming, Has.All.StartsWith("GridWorld-").Or.StartsWith("MinAtar/"));
        using var cartPole = EnvRegistry.Default.Make("CartPole-v1");
        Assert.That(ValidOutputs.Of(cartPole), Is.False, "CartPole keeps its checks (its own vector env checks the batch)");
    }

    [TestCaseSource(nameof(ClaimingIds))]
    public void A_claiming_env_keeps_its_claim_over_long_random_play(string id)
    {
        // Many more steps than the API check: every episode end, cliff, lava and game-over the random play reaches.
        using var env = EnvRegistry.Default.Make(id);
        var rng = new Rng(7);
        var n = ((Discrete)env.ActionSpace).N;
        var first = env.Reset(3).Observation;
        Assert.That(env.ObservationSpace.FirstInvalid(first), Is.EqualTo(-1));
        for (int t = 0; t < 20_000; t++)
        {
            var r = env.Step(rng.NextInt(n));
            Assert.That(r.Observation.Length, Is.EqualTo(env.ObservationSpace.FlatSize), $"step {t}");
            Assert.That(env.ObservationSpace.FirstInvalid(r.Observation), Is.EqualTo(-1), $"step {t}: observation outside {env.ObservationSpace}");
            Assert.That(float.IsFinite(r.Reward), $"step {t}: reward {r.Reward}");
            if (r.Done) Assert.That(env.ObservationSpace.FirstInvalid(env.Reset().Observation), Is.EqualTo(-1), $"reset after step {t}");
        }
    }

    [Test]
    public void Only_wrappers_that_pass_outputs_through_keep_the_claim()
    {
        IEnvironment Grid() => new GridWorld(GridMap.BuiltIn("Empty-8x8"));
        Assert.That(ValidOutputs.Of(new TimeLimit(new StickyActions(new RecordEpisodeStatistics(Grid())), 50)), Is.True);
        Assert.That(ValidOutputs.Of(new FrameStack(Grid(), 2)), Is.False);
        Assert.That(ValidOutputs.Of(new NormalizeObservation(Grid())), Is.False);
        Assert.That(ValidOutputs.Of(new TimeLimit(new Corrupting(Grid()), 50)), Is.False, "a user's wrapper hides the claim from the ones outside it");
    }

    [Test]
    public void A_vector_env_skips_the_checks_only_when_every_env_claims_valid_outputs()
    {
        using var grids = new SyncVectorEnv([new GridWorld(GridMap.BuiltIn("Empty-8x8")), new GridWorld(GridMap.BuiltIn("Empty-8x8"))]);
        Assert.That(grids.SkipsOutputChecks, Is.True);
        using var mixed = new SyncVectorEnv([new GridWorld(GridMap.BuiltIn("Empty-8x8")), new Corrupting(new GridWorld(GridMap.BuiltIn("Empty-8x8")))]);
        Assert.That(mixed.SkipsOutputChecks, Is.False);
    }

    [Test]
    public void A_wrapper_that_corrupts_a_gridworld_is_still_caught()
    {
        // The gridworld inside claims valid outputs; the user's wrapper around it returns a 2 in a one-hot space [0, 1].
        using var venv = new SyncVectorEnv([new TimeLimit(new Corrupting(new GridWorld(GridMap.BuiltIn("Empty-8x8"))), 50)]);
        venv.Reset(0);
        var ex = Assert.Throws<EnvironmentException>(() => venv.Step([1]));
        Assert.That(ex!.Message, Does.Contain("outside its observation space").And.Contain("value 2 at index 0"));
    }

    /// <summary>A user's wrapper that changes observations: it does not (and should not) claim valid outputs.</summary>
    private sealed class Corrupting(IEnvironment inner) : Wrapper(inner)
    {
        private readonly float[] _obs = new float[inner.ObservationSpace.FlatSize];

        public override StepResult Step(EnvAction action)
        {
            var r = Inner.Step(action);
            r.Observation.CopyTo(_obs, 0);
            _obs[0] = 2f;
            return r with { Observation = _obs };
        }
    }
}
