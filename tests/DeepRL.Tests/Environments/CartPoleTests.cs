using DeepRL.Environments;
using DeepRL.Environments.Classic;
using DeepRL.Environments.Wrappers;

namespace DeepRL.Tests.Environments;

[Category("Fast")]

public class CartPoleTests
{
    private static double Bits(string hex) => BitConverter.Int64BitsToDouble(Convert.ToInt64(hex, 16));

    /// <summary>
    /// Data/cartpole_gymnasium_reference.csv holds a 500-step trajectory computed in Python float64 with the
    /// formulas of Gymnasium's <c>step()</c> in their order (the generator script sits beside it).
    /// Every state must match bit for bit: a different operation order drifts visibly within ~200 steps.
    /// </summary>
    [Test]
    public void Long_balanced_trajectory_matches_gymnasium_float64_states_bit_for_bit()
    {
        var lines = File.ReadAllLines(Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "cartpole_gymnasium_reference.csv"));
        var initial = lines[0].Split(' ')[2..].Select(Bits).ToArray();
        var env = new CartPole();
        env.SetState(initial[0], initial[1], initial[2], initial[3]);
        var rows = lines.Skip(2).ToArray();
        Assert.That(rows, Has.Length.EqualTo(500));
        for (int t = 0; t < rows.Length; t++)
        {
            var f = rows[t].Split(',');
            var r = env.Step(int.Parse(f[0]));
            double[] expected = [Bits(f[1]), Bits(f[2]), Bits(f[3]), Bits(f[4])];
            double[] actual = [env.X, env.XDot, env.Theta, env.ThetaDot];
            for (int k = 0; k < 4; k++)
                if (BitConverter.DoubleToInt64Bits(actual[k]) != BitConverter.DoubleToInt64Bits(expected[k]))
                    Assert.Fail($"step {t + 1}, state[{k}]: {actual[k]:R} but Gymnasium has {expected[k]:R}");
            Assert.That(r.Terminated, Is.EqualTo(f[5] == "1"), $"step {t + 1}");
            Assert.That(r.Observation, Is.EqualTo(expected.Select(v => (float)v).ToArray()), $"step {t + 1}");
        }
    }

    [Test]
    public void Vector_env_matches_single_envs_bit_for_bit_over_long_balanced_episodes()
    {
        const int n = 6, seed = 123, steps = 1500;
        using var venv = new DeepRL.Environments.Vector.CartPoleVectorEnv(n);
        venv.Reset(seed);
        var singles = Enumerable.Range(0, n).Select(i => new TimeLimit(new CartPole(), 500)).ToArray();
        var obs = new float[n][];
        for (int i = 0; i < n; i++) obs[i] = singles[i].Reset(seed + i).Observation.ToArray();
        var actions = new int[n];
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < n; i++)
            {
                Assert.That(venv.Observations.AsSpan(i * 4, 4).ToArray(), Is.EqualTo(obs[i]), $"env {i}, step {t}");
                // A balancing controller (with an env-dependent bias so episodes differ) keeps episodes long.
                var o = obs[i];
                actions[i] = o[2] + 0.5f * o[3] + 0.02f * o[0] + 0.05f * o[1] + 0.001f * (i - 3) > 0 ? 1 : 0;
            }
            venv.Step(actions);
            for (int i = 0; i < n; i++)
            {
                var r = singles[i].Step(actions[i]);
                Assert.That(venv.Terminated[i], Is.EqualTo(r.Terminated), $"env {i}, step {t}");
                Assert.That(venv.Truncated[i], Is.EqualTo(r.Truncated), $"env {i}, step {t}");
                if (r.Terminated || r.Truncated)
                {
                    Assert.That(venv.FinalObservations.AsSpan(i * 4, 4).ToArray(), Is.EqualTo(r.Observation.ToArray()));
                    obs[i] = singles[i].Reset().Observation.ToArray();
                }
                else obs[i] = r.Observation.ToArray();
            }
        }
    }

    [Test]
    public void First_step_from_rest_pushing_right_has_known_values()
    {
        // From the upright rest state, a push right gives xacc = 10/1.1 - 0.05*thacc/1.1 with
        // thacc = -(10/1.1)/(0.5*(4/3 - 0.1/1.1)) = -14.634146...; only velocities change on the first Euler step.
        var env = new CartPole();
        env.SetState(0, 0, 0, 0);
        env.Step(1);
        double thAcc = -(10.0 / 1.1) / (0.5 * (4.0 / 3.0 - 0.1 / 1.1));
        double xAcc = 10.0 / 1.1 - 0.05 * thAcc / 1.1;
        Assert.That(thAcc, Is.EqualTo(-14.6341463).Within(1e-6));
        Assert.That(env.X, Is.EqualTo(0));
        Assert.That(env.XDot, Is.EqualTo(0.02 * xAcc).Within(1e-12));
        Assert.That(env.Theta, Is.EqualTo(0));
        Assert.That(env.ThetaDot, Is.EqualTo(0.02 * thAcc).Within(1e-12));
    }

    [TestCase(2.399, 0.0, false)]
    [TestCase(2.41, 0.0, true)]
    [TestCase(-2.41, 0.0, true)]
    [TestCase(0.0, 0.2094, false)]
    [TestCase(0.0, 0.2096, true)]
    [TestCase(0.0, -0.2096, true)]
    public void Terminates_beyond_2_4_metres_or_12_degrees(double x, double theta, bool expectTerminated)
    {
        var env = new CartPole();
        // Zero velocities: the Euler position update leaves x and θ unchanged for one step.
        env.SetState(x, 0, theta, 0);
        var r = env.Step(0);
        Assert.That(r.Terminated, Is.EqualTo(expectTerminated));
        Assert.That(r.Reward, Is.EqualTo(1f), "Gymnasium pays 1 on the terminating step too");
        Assert.That(CartPole.ThetaThresholdRadians, Is.EqualTo(12 * Math.PI / 180).Within(1e-15));
    }

    [Test]
    public void Registry_version_truncates_at_500_steps()
    {
        using var env = EnvRegistry.Default.Make("CartPole-v1");
        var cp = Wrapper.Find<CartPole>(env)!;
        env.Reset(0);
        StepResult r = default;
        for (int t = 0; t < 500; t++)
        {
            cp.SetState(0, 0, 0, 0); // keep it balanced so only the time limit can end the episode
            r = env.Step(t % 2);
            if (t < 499) Assert.That(r.Done, Is.False, $"ended early at step {t + 1}");
        }
        Assert.That(r.Truncated, Is.True);
        Assert.That(r.Terminated, Is.False);
    }

    [Test]
    public void Initial_state_is_uniform_within_five_hundredths()
    {
        var env = new CartPole();
        var seen = new List<float>();
        for (int s = 0; s < 200; s++) seen.AddRange(env.Reset(s).Observation);
        Assert.That(seen, Has.All.InRange(-0.05f, 0.05f));
        Assert.That(seen.Max() - seen.Min(), Is.GreaterThan(0.09f), "samples should spread over the whole interval");
    }

    [Test]
    public void Same_seed_gives_same_episode()
    {
        var a = new CartPole();
        var b = new CartPole();
        Assert.That(a.Reset(7).Observation, Is.EqualTo(b.Reset(7).Observation));
        Assert.That(a.Reset(8).Observation, Is.Not.EqualTo(b.Reset(7).Observation));
    }

    [Test]
    public void Masked_variant_observes_position_and_angle_only()
    {
        var env = new CartPole(maskVelocities: true);
        env.SetState(0.5, 1.0, -0.1, 2.0);
        var r = env.Step(0);
        Assert.That(env.ObservationSpace.Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(r.Observation, Is.EqualTo(new[] { (float)env.X, (float)env.Theta }));
    }

    [Test]
    public void Invalid_action_names_the_valid_range()
    {
        var env = new CartPole();
        env.Reset(0);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => env.Step(2));
        Assert.That(ex!.Message, Does.Contain("0 (push left) or 1 (push right)"));
    }

    [Test]
    public void Step_before_reset_and_after_termination_throws()
    {
        var env = new CartPole();
        Assert.Throws<InvalidOperationException>(() => env.Step(0));
        env.SetState(3.0, 0, 0, 0);
        Assert.That(env.Step(0).Terminated, Is.True);
        Assert.Throws<InvalidOperationException>(() => env.Step(0));
    }
}
