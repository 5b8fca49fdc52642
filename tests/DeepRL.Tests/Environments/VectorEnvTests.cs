using DeepRL.Environments;
using DeepRL.Environments.Classic;
using DeepRL.Environments.Vector;

namespace DeepRL.Tests.Environments;

[Category("Fast")]

public class VectorEnvTests
{
    private static IEnvironment[] Make(string id, int n) => Enumerable.Range(0, n).Select(_ => EnvRegistry.Default.Make(id)).ToArray();

    [Test]
    public void Auto_reset_keeps_the_final_observation_and_starts_a_new_episode()
    {
        using var venv = new SyncVectorEnv(Make("CartPole-v1", 2));
        venv.Reset(0);
        // Always push left: env ends within a few dozen steps.
        int steps = 0;
        while (!venv.HasFinalObservation[0] && steps++ < 500) venv.Step([0, 0]);
        Assert.That(venv.Terminated[0], Is.True);
        float finalX = venv.FinalObservations[0], finalTheta = venv.FinalObservations[2];
        Assert.That(Math.Abs(finalTheta) > CartPole.ThetaThresholdRadians || Math.Abs(finalX) > CartPole.XThreshold, Is.True,
            "the final observation is the terminal state");
        Assert.That(venv.Observations.Take(4), Has.All.InRange(-0.05f, 0.05f), "row 0 already holds the next episode's first observation");
        Assert.That(venv.FinishedEpisodeLengths[0], Is.EqualTo(steps));
        Assert.That(venv.FinishedEpisodeReturns[0], Is.EqualTo(steps));
        venv.Step([0, 0]);
        Assert.That(venv.HasFinalObservation[0], Is.False);
    }

    [Test]
    public void Vector_envs_reproduce_single_envs_seeded_with_seed_plus_index()
    {
        var singles = Make("GridWorld-FrozenLake-8x8-v0", 3);
        using var venv = new SyncVectorEnv(Make("GridWorld-FrozenLake-8x8-v0", 3));
        venv.Reset(10);
        for (int i = 0; i < 3; i++) singles[i].Reset(10 + i);
        var rng = new Rng(5);
        for (int t = 0; t < 300; t++)
        {
            int[] actions = [rng.NextInt(4), rng.NextInt(4), rng.NextInt(4)];
            venv.Step(actions);
            for (int i = 0; i < 3; i++)
            {
                var r = singles[i].Step(actions[i]);
                Assert.That(venv.Rewards[i], Is.EqualTo(r.Reward));
                Assert.That(venv.Terminated[i] || venv.Truncated[i], Is.EqualTo(r.Done));
                var expected = r.Done ? venv.FinalObservations.AsSpan(i * 64, 64).ToArray() : venv.Observations.AsSpan(i * 64, 64).ToArray();
                Assert.That(r.Observation, Is.EqualTo(expected));
                if (r.Done) singles[i].Reset();
            }
        }
    }

    [Test]
    public void Threaded_and_sync_vector_envs_produce_identical_results()
    {
        using var sync = new SyncVectorEnv(Make("GridWorld-FrozenLake-8x8-v0", 8));
        using var threaded = new ThreadedVectorEnv(Make("GridWorld-FrozenLake-8x8-v0", 8), threads: 3);
        sync.Reset(1);
        threaded.Reset(1);
        var rng = new Rng(9);
        var actions = new int[8];
        for (int t = 0; t < 500; t++)
        {
            for (int i = 0; i < 8; i++) actions[i] = rng.NextInt(4);
            sync.Step(actions);
            threaded.Step(actions);
            Assert.That(threaded.Observations, Is.EqualTo(sync.Observations));
            Assert.That(threaded.Rewards, Is.EqualTo(sync.Rewards));
            Assert.That(threaded.Terminated, Is.EqualTo(sync.Terminated));
            Assert.That(threaded.Truncated, Is.EqualTo(sync.Truncated));
        }
    }

    [TestCase(VectorMode.Sync)]
    [TestCase(VectorMode.Threaded)]
    public void CartPole_vector_env_matches_generic_vector_env(VectorMode mode)
    {
        using var fast = VectorEnvs.Make("CartPole-v1", 16, mode, threads: 2);
        using var generic = VectorEnvs.Make("CartPole-v1", 16, VectorMode.Sync, generic: true);
        Assert.That(fast, Is.InstanceOf<CartPoleVectorEnv>());
        fast.Reset(3);
        generic.Reset(3);
        Assert.That(fast.Observations, Is.EqualTo(generic.Observations));
        var rng = new Rng(4);
        var actions = new int[16];
        int episodesEnded = 0;
        for (int t = 0; t < 1500; t++)
        {
            for (int i = 0; i < 16; i++) actions[i] = t % 50 < 25 ? rng.NextInt(2) : (generic.Observations[i * 4 + 2] > 0 ? 1 : 0);
            fast.Step(actions);
            generic.Step(actions);
            Assert.That(fast.Observations, Is.EqualTo(generic.Observations), $"step {t}");
            Assert.That(fast.Terminated, Is.EqualTo(generic.Terminated));
            Assert.That(fast.Truncated, Is.EqualTo(generic.Truncated));
            Assert.That(fast.FinalObservations, Is.EqualTo(generic.FinalObservations));
            episodesEnded += fast.HasFinalObservation.Count(b => b);
        }
        Assert.That(episodesEnded, Is.GreaterThan(16));
    }

    [Test]
    public void Vector_step_rejects_wrong_action_count_and_out_of_range_actions()
    {
        using var venv = VectorEnvs.Make("CartPole-v1", 4);
        venv.Reset(0);
        Assert.Throws<ArgumentException>(() => venv.Step(new int[3]));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => venv.Step([0, 1, 2, 0]));
        Assert.That(ex!.Message, Does.Contain("env 2").And.Contain("[0, 1]"));
    }
}
