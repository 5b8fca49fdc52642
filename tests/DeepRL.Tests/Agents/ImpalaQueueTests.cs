using DeepRL.Agents.Distributed;
using DeepRL.Agents.Impala;
using MessagePack;

namespace DeepRL.Tests.Agents;

/// <summary>The actor/learner layer on its own: the bounded queue, policy-lag statistics, unrolls on the wire.</summary>
[Category("Fast")]
public class ImpalaQueueTests
{
    [Test]
    public void A_full_queue_makes_producers_wait_and_a_taken_batch_lets_them_in()
    {
        using var queue = new ExperienceQueue<int>(capacity: 2);
        Assert.That(queue.TryAdd(1, TimeSpan.Zero), Is.True);
        Assert.That(queue.TryAdd(2, TimeSpan.Zero), Is.True);
        Assert.That(queue.TryAdd(3, TimeSpan.FromMilliseconds(100)), Is.False, "no room: the add times out instead of growing the queue");

        var blocked = Task.Run(() => queue.TryAdd(3, TimeSpan.FromSeconds(10)));
        Thread.Sleep(100);
        Assert.That(blocked.IsCompleted, Is.False, "the producer waits while the queue is full");
        var batch = new List<int>();
        Assert.That(queue.TryTakeBatch(batch, 2, TimeSpan.FromSeconds(1)), Is.True);
        Assert.That(batch, Is.EqualTo(new[] { 1, 2 }), "first in, first out");
        Assert.That(blocked.Wait(TimeSpan.FromSeconds(5)) && blocked.Result, Is.True, "taking made room");
        Assert.That(queue.HighWater, Is.EqualTo(2));
        Assert.That(queue.ProducerWaitSeconds, Is.GreaterThan(0.05));
    }

    [Test]
    public void A_partial_batch_keeps_what_arrived_and_completion_releases_every_waiter()
    {
        using var queue = new ExperienceQueue<int>(capacity: 4);
        queue.TryAdd(7, TimeSpan.Zero);
        var batch = new List<int>();
        Assert.That(queue.TryTakeBatch(batch, 3, TimeSpan.FromMilliseconds(50)), Is.False);
        Assert.That(batch, Is.EqualTo(new[] { 7 }), "a timed-out take loses nothing");

        var consumer = Task.Run(() => queue.TryTakeBatch(batch, 3, TimeSpan.FromSeconds(30)));
        for (int i = 0; i < 4; i++) queue.TryAdd(i, TimeSpan.Zero);
        Assert.That(consumer.Wait(TimeSpan.FromSeconds(5)) && consumer.Result, Is.True);
        var producer = Task.Run(() => queue.TryAdd(99, TimeSpan.FromSeconds(30)));
        queue.TryAdd(98, TimeSpan.Zero);
        queue.TryAdd(97, TimeSpan.Zero);
        queue.Complete();
        Assert.That(producer.Wait(TimeSpan.FromSeconds(5)), Is.True, "Complete releases a waiting producer at once");
        Assert.That(producer.Result, Is.False, "and tells it the item was not taken");
        Assert.That(queue.TryAdd(1, TimeSpan.Zero), Is.False, "a completed queue takes nothing");
    }

    [Test]
    public void A_cancelled_wait_returns_promptly()
    {
        using var queue = new ExperienceQueue<int>(capacity: 1);
        queue.TryAdd(1, TimeSpan.Zero);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(queue.TryAdd(2, TimeSpan.FromMinutes(5), cancel.Token), Is.False);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void Policy_lag_statistics_are_exact()
    {
        var lag = new PolicyLag();
        Assert.That(lag.Stats(), Is.Null);
        // 100 samples: 90 of lag 1, 5 of lag 2, 4 of lag 3, one of lag 9 → mean (90 + 10 + 12 + 9) / 100 = 1.21, p95 = the 95th smallest = 2.
        for (int i = 0; i < 90; i++) lag.Add(1);
        for (int i = 0; i < 5; i++) lag.Add(2);
        for (int i = 0; i < 4; i++) lag.Add(3);
        lag.Add(9);
        var stats = lag.Stats()!;
        Assert.That(stats.Mean, Is.EqualTo(1.21).Within(1e-12));
        Assert.That(stats.P95, Is.EqualTo(2));
        Assert.That(stats.Max, Is.EqualTo(9));
        Assert.That(stats.Samples, Is.EqualTo(100));
        Assert.That(() => lag.Add(-1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("cannot be negative"));
    }

    private static Unroll SampleUnroll(int steps = 2, int envs = 3, int obs = 4, int actions = 2) => new(
        Actor: 1, PolicyVersion: 5, Steps: steps, Envs: envs,
        Observations: Enumerable.Range(0, (steps + 1) * envs * obs).Select(i => i * 0.5f).ToArray(),
        EpisodeStarts: new bool[(steps + 1) * envs], Actions: new float[steps * envs], BehaviourOutputs: new float[steps * envs * actions],
        BehaviourLogStd: [], Rewards: Enumerable.Repeat(1f, steps * envs).ToArray(), Terminated: new bool[steps * envs],
        Truncated: new bool[steps * envs], FinalValues: new float[steps * envs], ActionMasks: null, InitialH: null, InitialC: null,
        EpisodeReturns: [12.5], EpisodeLengths: [12]);

    [Test]
    public void An_unroll_round_trips_through_messagepack_and_its_size_is_its_arrays()
    {
        var unroll = SampleUnroll();
        byte[] bytes = MessagePackSerializer.Serialize(unroll);
        var back = MessagePackSerializer.Deserialize<Unroll>(bytes);
        Assert.That(back.Observations, Is.EqualTo(unroll.Observations));
        Assert.That(back.PolicyVersion, Is.EqualTo(5));
        Assert.That(back.EpisodeReturns, Is.EqualTo(new[] { 12.5 }));
        Assert.That(back.Validate(2, 4, 1, 2, masked: false, stateSize: 0), Is.Null);
        // 36 observation floats (5 bytes each as MessagePack float32) dominate; the rest is a few bytes per step.
        Assert.That(bytes.Length, Is.InRange(36 * 5, 36 * 5 + 250));
    }

    [Test]
    public void A_malformed_unroll_is_refused_naming_the_field()
    {
        var unroll = SampleUnroll();
        Assert.That(unroll.Validate(3, 4, 1, 2, false, 0), Does.Contain("2 steps").And.Contain("unroll_length is 3"));
        Assert.That((unroll with { Rewards = [1f] }).Validate(2, 4, 1, 2, false, 0), Does.Contain("rewards have 1 entries, 6 expected"));
        Assert.That((unroll with { Observations = null! }).Validate(2, 4, 1, 2, false, 0), Does.Contain("observations have no entries"));
        Assert.That(unroll.Validate(2, 4, 1, 2, masked: true, 0), Does.Contain("action masks are missing"));
        Assert.That(unroll.Validate(2, 4, 1, 2, false, stateSize: 8), Does.Contain("recurrent state is missing"));
        var nan = unroll.Rewards.ToArray();
        nan[3] = float.NaN;
        Assert.That((unroll with { Rewards = nan }).Validate(2, 4, 1, 2, false, 0), Does.Contain("non-finite reward"));
    }
}
