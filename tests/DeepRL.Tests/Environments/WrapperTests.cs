using DeepRL.Environments;
using DeepRL.Environments.Classic;
using DeepRL.Environments.GridWorlds;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Wrappers;

namespace DeepRL.Tests.Environments;

[Category("Fast")]

public class WrapperTests
{
    /// <summary>Counts steps; observation = [step count]; reward = action; terminates when told to.</summary>
    private sealed class Counter(int terminateAt = int.MaxValue) : IEnvironment
    {
        private readonly float[] _obs = new float[1];
        public int LastAction = -1;
        public Box ObservationSpace { get; } = new([1], float.NegativeInfinity, float.PositiveInfinity);
        public Space ActionSpace { get; } = new Discrete(5);
        public EnvSpec? Spec { get; set; }

        public ResetResult Reset(int? seed = null)
        {
            _obs[0] = 0;
            return new ResetResult(_obs, Info.Empty);
        }

        public StepResult Step(EnvAction action)
        {
            LastAction = action.Discrete;
            _obs[0]++;
            return new StepResult(_obs, action.Discrete, _obs[0] >= terminateAt, false, Info.Empty);
        }

        public void Dispose()
        {
        }
    }

    [Test]
    public void TimeLimit_truncates_at_the_limit_and_not_before()
    {
        var env = new TimeLimit(new Counter(), 3);
        env.Reset();
        Assert.That(env.Step(0).Truncated, Is.False);
        Assert.That(env.Step(0).Truncated, Is.False);
        var r = env.Step(0);
        Assert.That((r.Truncated, r.Terminated), Is.EqualTo((true, false)));
        env.Reset();
        Assert.That(env.Step(0).Truncated, Is.False, "reset restarts the count");
    }

    [Test]
    public void TimeLimit_keeps_termination_when_both_happen()
    {
        var r = new TimeLimit(new Counter(terminateAt: 2), 2);
        r.Reset();
        r.Step(0);
        var last = r.Step(0);
        Assert.That(last.Terminated, Is.True);
    }

    [Test]
    public void RecordEpisodeStatistics_reports_return_and_length_at_episode_end()
    {
        var env = new RecordEpisodeStatistics(new Counter(terminateAt: 3));
        env.Reset();
        Assert.That(env.Step(1).Info.IsEmpty, Is.True);
        env.Step(2);
        var r = env.Step(4);
        Assert.That(r.Info.TryGet<EpisodeStatistics>("episode", out var stats), Is.True);
        Assert.That((stats.Return, stats.Length), Is.EqualTo((7.0, 3)));
    }

    [Test]
    public void FrameStack_keeps_the_last_k_observations_oldest_first()
    {
        var env = new FrameStack(new Counter(), 3);
        Assert.That(env.ObservationSpace.Shape, Is.EqualTo(new[] { 3, 1 }));
        Assert.That(env.Reset().Observation, Is.EqualTo(new[] { 0f, 0f, 0f }));
        env.Step(0);
        Assert.That(env.Step(0).Observation, Is.EqualTo(new[] { 0f, 1f, 2f }));
        Assert.That(env.Step(0).Observation, Is.EqualTo(new[] { 1f, 2f, 3f }));
    }

    [Test]
    public void NormalizeObservation_centres_and_scales_a_stream()
    {
        var env = new NormalizeObservation(new CartPole());
        var values = new List<float[]>();
        env.Reset(0);
        var rng = new Rng(0);
        for (int t = 0; t < 20000; t++)
        {
            var r = env.Step(rng.NextInt(2));
            values.Add((float[])r.Observation.Clone());
            if (r.Done) env.Reset();
        }
        // Late samples are normalised by well-converged statistics.
        var late = values.Skip(10000).ToList();
        for (int i = 0; i < 4; i++)
        {
            double mean = late.Average(v => v[i]);
            double std = Math.Sqrt(late.Average(v => (v[i] - mean) * (v[i] - mean)));
            Assert.That(mean, Is.EqualTo(0).Within(0.15), $"dim {i} mean");
            Assert.That(std, Is.EqualTo(1).Within(0.15), $"dim {i} std");
        }
    }

    [Test]
    public void RunningMeanStd_matches_batch_statistics()
    {
        var rms = new RunningMeanStd(1);
        double[] xs = [1, 2, 3, 4, 10];
        foreach (var x in xs) rms.Update(x);
        Assert.That(rms.Mean[0], Is.EqualTo(xs.Average()).Within(1e-3));
        double var = xs.Average(x => (x - xs.Average()) * (x - xs.Average()));
        Assert.That(rms.Var[0], Is.EqualTo(var).Within(1e-2));
    }

    [Test]
    public void NormalizeReward_divides_by_the_std_of_the_discounted_return()
    {
        var env = new NormalizeReward(new Counter(), gamma: 0.0);
        env.Reset();
        // gamma = 0: the "return" is the reward itself, so the scale is the running std of rewards.
        float last = 0;
        for (int t = 0; t < 2000; t++) last = env.Step(t % 2 == 0 ? 0 : 4).Reward;
        Assert.That(Math.Sqrt(env.Statistics.Var[0]), Is.EqualTo(2.0).Within(0.05));
        Assert.That(last, Is.EqualTo(2f).Within(0.05f));
    }

    [Test]
    public void StickyActions_repeat_the_previous_action_with_probability_p()
    {
        var inner = new Counter();
        var env = new StickyActions(inner, 0.25);
        env.Reset(1);
        env.Step(0);
        int repeated = 0;
        for (int t = 0; t < 8000; t++)
        {
            int previous = inner.LastAction;
            env.Step((previous + 1) % 5); // always ask for something new
            if (inner.LastAction == previous) repeated++;
        }
        Assert.That(repeated / 8000.0, Is.EqualTo(0.25).Within(0.02));
    }

    [Test]
    public void Wrapper_find_locates_the_inner_environment()
    {
        using var env = EnvRegistry.Default.Make("GridWorld-FourRooms-v0");
        Assert.That(Wrapper.Find<GridWorld>(env), Is.Not.Null);
        Assert.That(Wrapper.Find<TimeLimit>(env)!.MaxEpisodeSteps, Is.EqualTo(200));
    }
}
