using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Replay;
using static TorchSharp.torch;

namespace DeepRL.Tests.Replay;

[Category("Fast")]

public class ReplayBufferTests
{
    private static readonly Box Vector2 = new([2], -10f, 10f);

    private static void AddNumbered(ReplayBuffer buffer, int i) =>
        buffer.Add(new Transition([i, -i], i % 3, i * 0.5f, [i + 1, -(i + 1)], 0.99f));

    [Test]
    public void Ring_buffer_overwrites_the_oldest_and_caps_count()
    {
        var buffer = new ReplayBuffer(4, Vector2);
        for (int i = 0; i < 6; i++) AddNumbered(buffer, i);
        Assert.That((buffer.Count, buffer.Position, buffer.TotalAdded), Is.EqualTo((4, 2, 6L)));
        var obs = new float[2];
        buffer.Observations.Read(0, obs);
        Assert.That(obs, Is.EqualTo(new[] { 4f, -4f }), "slot 0 now holds transition 4");
    }

    [Test]
    public void Sampled_batches_hold_consistent_stored_transitions_in_tensors()
    {
        var buffer = new ReplayBuffer(100, Vector2);
        for (int i = 0; i < 50; i++) AddNumbered(buffer, i);
        using var batch = new ReplayBatch(32, [2], CPU);
        buffer.Sample(batch, new Rng(1));
        var obs = batch.Observations.data<float>().ToArray();
        var next = batch.NextObservations.data<float>().ToArray();
        var actions = batch.Actions.data<long>().ToArray();
        var rewards = batch.Rewards.data<float>().ToArray();
        Assert.That(batch.Observations.shape, Is.EqualTo(new long[] { 32, 2 }));
        for (int b = 0; b < 32; b++)
        {
            float i = obs[2 * b];
            Assert.That(i, Is.EqualTo(batch.Indices[b]), "slot index equals the stored number before wrap-around");
            Assert.That(obs[2 * b + 1], Is.EqualTo(-i));
            Assert.That(next[2 * b], Is.EqualTo(i + 1));
            Assert.That(actions[b], Is.EqualTo((long)i % 3));
            Assert.That(rewards[b], Is.EqualTo(i * 0.5f));
        }
        Assert.That(batch.Discounts.data<float>().ToArray(), Has.All.EqualTo(0.99f));
        Assert.That(batch.Weights.data<float>().ToArray(), Has.All.EqualTo(1f));
    }

    [Test]
    public void Uniform_sampling_covers_the_buffer_evenly()
    {
        var buffer = new ReplayBuffer(10, Vector2);
        for (int i = 0; i < 10; i++) AddNumbered(buffer, i);
        using var batch = new ReplayBatch(100, [2], CPU);
        var counts = new int[10];
        var rng = new Rng(3);
        for (int k = 0; k < 200; k++)
        {
            buffer.Sample(batch, rng);
            foreach (int i in batch.Indices) counts[i]++;
        }
        Assert.That(counts, Has.All.InRange(1800, 2200));
    }

    [Test]
    public void Image_observations_are_stored_as_bytes()
    {
        var image = new Box([4, 10, 10], 0f, 1f, BoxDType.UInt8);
        var floats = new Box([4, 10, 10], 0f, 1f);
        var byteBuffer = new ReplayBuffer(1000, image);
        var floatBuffer = new ReplayBuffer(1000, floats);
        Assert.That(byteBuffer.Observations.IsBytes, Is.True);
        Assert.That(byteBuffer.MemoryBytes * 3, Is.LessThan(floatBuffer.MemoryBytes), "bytes cost a quarter of floats");
        var obs = new float[400];
        obs[7] = 1f;
        byteBuffer.Add(new Transition(obs, 1, 1f, obs, 0f));
        using var batch = new ReplayBatch(1, [4, 10, 10], CPU);
        byteBuffer.Sample(batch, new Rng(0));
        Assert.That(batch.Observations.data<float>().ToArray(), Is.EqualTo(obs));
    }

    [Test]
    public void Adding_transitions_does_not_allocate()
    {
        var buffer = new ReplayBuffer(1000, Vector2);
        float[] o = [1, 2], n = [3, 4];
        var rng = new Rng(0);
        for (int i = 0; i < 100; i++) buffer.Add(new Transition(o, 0, 1, n, 0.9f));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5000; i++) buffer.Add(new Transition(o, 0, 1, n, 0.9f));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Sampling_an_empty_buffer_is_an_error()
    {
        using var batch = new ReplayBatch(4, [2], CPU);
        Assert.Throws<InvalidOperationException>(() => new ReplayBuffer(10, Vector2).Sample(batch, new Rng(0)));
    }
}
