using DeepRL.Environments.Spaces;
using DeepRL.Replay;

namespace DeepRL.Tests.Replay;

[Category("Fast")]

public class NStepTests
{
    private const float Gamma = 0.9f;

    private static (ReplayBuffer Buffer, NStepAccumulator Acc) Make(int n) =>
        (new ReplayBuffer(100, new Box([1], -100f, 100f)), new NStepAccumulator(n, Gamma, 1));

    private static (float Obs, int Action, float Reward, float Next, float Discount) Read(ReplayBuffer b, int i)
    {
        var o = new float[1];
        var n = new float[1];
        b.Observations.Read(i, o);
        b.NextObservations.Read(i, n);
        return (o[0], b.Actions[i], b.Rewards[i], n[0], b.Discounts[i]);
    }

    [Test]
    public void Three_step_return_and_bootstrap_while_the_episode_continues()
    {
        var (buffer, acc) = Make(3);
        // States 0,1,2,3,4 with rewards 1,2,3,4.
        for (int t = 0; t < 4; t++) acc.Add([t], t, t + 1, [t + 1], false, false, buffer);
        Assert.That(buffer.Count, Is.EqualTo(2));
        var first = Read(buffer, 0);
        Assert.That(first.Obs, Is.EqualTo(0f));
        Assert.That(first.Reward, Is.EqualTo(1 + 0.9f * 2 + 0.81f * 3).Within(1e-5));
        Assert.That(first.Next, Is.EqualTo(3f), "bootstraps from the state three steps later");
        Assert.That(first.Discount, Is.EqualTo(0.729f).Within(1e-6));
        var second = Read(buffer, 1);
        Assert.That((second.Obs, second.Next), Is.EqualTo((1f, 4f)));
        Assert.That(second.Reward, Is.EqualTo(2 + 0.9f * 3 + 0.81f * 4).Within(1e-5));
    }

    [Test]
    public void Termination_flushes_the_tail_without_bootstrapping()
    {
        var (buffer, acc) = Make(3);
        acc.Add([0], 0, 1, [1], false, false, buffer);
        acc.Add([1], 1, 2, [2], false, false, buffer);
        acc.Add([2], 2, 10, [99], terminated: true, truncated: false, buffer);
        Assert.That(buffer.Count, Is.EqualTo(3));
        Assert.That(acc.Pending, Is.Zero);
        var r0 = Read(buffer, 0);
        var r1 = Read(buffer, 1);
        var r2 = Read(buffer, 2);
        Assert.That(r0.Reward, Is.EqualTo(1 + 0.9f * 2 + 0.81f * 10).Within(1e-5));
        Assert.That(r1.Reward, Is.EqualTo(2 + 0.9f * 10).Within(1e-5));
        Assert.That(r2.Reward, Is.EqualTo(10f));
        Assert.That(new[] { r0.Discount, r1.Discount, r2.Discount }, Has.All.EqualTo(0f), "terminal: no bootstrap");
    }

    [Test]
    public void Truncation_flushes_the_tail_and_bootstraps_from_the_final_observation()
    {
        var (buffer, acc) = Make(3);
        acc.Add([0], 0, 1, [1], false, false, buffer);
        acc.Add([1], 1, 2, [2], false, truncated: true, buffer);
        Assert.That(buffer.Count, Is.EqualTo(2));
        var r0 = Read(buffer, 0);
        var r1 = Read(buffer, 1);
        Assert.That((r0.Reward, r0.Next, r0.Discount), Is.EqualTo((1 + 0.9f * 2, 2f, 0.81f)).Using<(float, float, float)>((a, b) =>
            Math.Abs(a.Item1 - b.Item1) < 1e-5 && a.Item2 == b.Item2 && Math.Abs(a.Item3 - b.Item3) < 1e-6));
        Assert.That((r1.Reward, r1.Next), Is.EqualTo((2f, 2f)));
        Assert.That(r1.Discount, Is.EqualTo(0.9f).Within(1e-6));
    }

    [Test]
    public void One_step_is_plain_td()
    {
        var (buffer, acc) = Make(1);
        acc.Add([5], 1, 3, [6], false, false, buffer);
        acc.Add([6], 0, 1, [7], true, false, buffer);
        Assert.That(Read(buffer, 0), Is.EqualTo((5f, 1, 3f, 6f, 0.9f)));
        Assert.That(Read(buffer, 1), Is.EqualTo((6f, 0, 1f, 7f, 0f)));
    }
}
