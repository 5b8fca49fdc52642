using DeepRL.Environments;
using DeepRL.Environments.Classic;
using DeepRL.Environments.Wrappers;

namespace DeepRL.Tests.Environments;

public class CartPoleTests
{
    /// <summary>Gymnasium's CartPole step, written out independently from the constants of the paper.</summary>
    private static (double X, double XDot, double Th, double ThDot) Reference(double x, double xDot, double th, double thDot, int action)
    {
        const double g = 9.8, mc = 1.0, mp = 0.1, l = 0.5, f = 10.0, tau = 0.02;
        double force = action == 1 ? f : -f;
        double total = mc + mp;
        double temp = (force + mp * l * thDot * thDot * Math.Sin(th)) / total;
        double thAcc = (g * Math.Sin(th) - Math.Cos(th) * temp) / (l * (4.0 / 3.0 - mp * Math.Cos(th) * Math.Cos(th) / total));
        double xAcc = temp - mp * l * thAcc * Math.Cos(th) / total;
        return (x + tau * xDot, xDot + tau * xAcc, th + tau * thDot, thDot + tau * thAcc);
    }

    [Test]
    public void Step_matches_hand_computed_equations_for_several_steps()
    {
        var env = new CartPole();
        var state = (X: 0.01, XDot: -0.02, Th: 0.03, ThDot: 0.04);
        env.SetState(state.X, state.XDot, state.Th, state.ThDot);
        int[] actions = [1, 1, 0, 1, 0, 0, 1];
        foreach (int a in actions)
        {
            state = Reference(state.X, state.XDot, state.Th, state.ThDot, a);
            var r = env.Step(a);
            Assert.That(env.X, Is.EqualTo(state.X).Within(1e-12));
            Assert.That(env.XDot, Is.EqualTo(state.XDot).Within(1e-12));
            Assert.That(env.Theta, Is.EqualTo(state.Th).Within(1e-12));
            Assert.That(env.ThetaDot, Is.EqualTo(state.ThDot).Within(1e-12));
            Assert.That(r.Observation, Is.EqualTo(new[] { (float)state.X, (float)state.XDot, (float)state.Th, (float)state.ThDot }));
            Assert.That(r.Reward, Is.EqualTo(1f));
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
