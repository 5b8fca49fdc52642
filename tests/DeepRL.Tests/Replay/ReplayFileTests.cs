using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Replay;
using DeepRL.Replay.Persistence;
using DeepRL.Replay.Prioritized;
using static TorchSharp.torch;

namespace DeepRL.Tests.Replay;

[Category("Fast")]

public class ReplayFileTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-replay-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static void Fill(ReplayBuffer buffer, int count, int obsSize)
    {
        var rng = new Rng(7);
        var o = new float[obsSize];
        var n = new float[obsSize];
        for (int i = 0; i < count; i++)
        {
            for (int k = 0; k < obsSize; k++)
            {
                o[k] = rng.NextInt(2);
                n[k] = rng.NextInt(2);
            }
            buffer.Add(new Transition(o, rng.NextInt(4), rng.NextFloat(), n, rng.NextInt(2) * 0.99f));
        }
    }

    private static float[] SampleAll(ReplayBuffer buffer, int seed)
    {
        using var batch = new ReplayBatch(64, buffer.ObservationShape, CPU);
        buffer.Sample(batch, new Rng((ulong)seed));
        return batch.Observations.data<float>().ToArray()
            .Concat(batch.NextObservations.data<float>().ToArray())
            .Concat(batch.Rewards.data<float>().ToArray())
            .Concat(batch.Discounts.data<float>().ToArray())
            .Concat(batch.Actions.data<long>().ToArray().Select(a => (float)a))
            .Concat(batch.Weights.data<float>().ToArray())
            .ToArray();
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    public void Save_and_load_round_trip_gives_identical_samples(bool bytes, bool prioritized)
    {
        var space = new Box([3, 2, 2], 0f, 1f, bytes ? BoxDType.UInt8 : BoxDType.Float32);
        ReplayBuffer Make() => prioritized ? new PrioritizedReplayBuffer(500, space) : new ReplayBuffer(500, space);
        var original = Make();
        Fill(original, 700, 12); // wraps around
        if (original is PrioritizedReplayBuffer per) per.UpdatePriorities([3, 10, 200], [5f, 0.1f, 2f]);
        string path = Path.Combine(_dir, "replay.msgpack");
        ReplayFile.Save(original, path);

        var loaded = Make();
        ReplayFile.Load(loaded, path);
        Assert.That((loaded.Count, loaded.Position, loaded.TotalAdded), Is.EqualTo((original.Count, original.Position, original.TotalAdded)));
        Assert.That(SampleAll(loaded, 11), Is.EqualTo(SampleAll(original, 11)));
    }

    [Test]
    public void A_full_minatar_sized_buffer_larger_than_messagepacks_untrusted_data_cap_round_trips()
    {
        // Regression: a DQN run on MinAtar/Freeway (100k transitions of 10×10×7 frames) saved its replay and could
        // not resume, because MessagePack's untrusted-data cap on decompressed size is smaller than such a buffer.
        var space = new Box([10, 10, 7], 0f, 1f, BoxDType.UInt8);
        const int capacity = 100_000;
        const int frame = 10 * 10 * 7;
        long rawBytes = 2L * capacity * frame;
        Assert.That(rawBytes, Is.GreaterThan(MessagePack.MessagePackSecurity.UntrustedData.MaximumDecompressedSize),
            "the buffer must exceed the default cap for this test to mean anything");
        var original = new ReplayBuffer(capacity, space);
        Fill(original, capacity + 123, frame);
        string path = Path.Combine(_dir, "replay.msgpack");
        ReplayFile.Save(original, path);

        var loaded = new ReplayBuffer(capacity, space);
        ReplayFile.Load(loaded, path);
        Assert.That((loaded.Count, loaded.Position, loaded.TotalAdded), Is.EqualTo((original.Count, original.Position, original.TotalAdded)));
        Assert.That(SampleAll(loaded, 3), Is.EqualTo(SampleAll(original, 3)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Device_storage_samples_like_host_storage_and_round_trips(bool bytes)
    {
        var space = new Box([2, 3], 0f, 1f, bytes ? BoxDType.UInt8 : BoxDType.Float32);
        using var host = new ReplayBuffer(300, space);
        using var device = new ReplayBuffer(300, space, CPU);
        Assert.That(device.StoresOnDevice, Is.True);
        Fill(host, 700, 6); // wraps around twice: exercises staging flushes at the ring's end
        Fill(device, 700, 6);
        Assert.That(SampleAll(device, 5), Is.EqualTo(SampleAll(host, 5)));

        string path = Path.Combine(_dir, "device.msgpack");
        ReplayFile.Save(device, path);
        using var loaded = new ReplayBuffer(300, space, CPU);
        ReplayFile.Load(loaded, path);
        Assert.That(SampleAll(loaded, 6), Is.EqualTo(SampleAll(host, 6)));
    }

    [TestCase("actions", "actions[2] is -4 (actions are ≥ 0)")]
    [TestCase("rewards", "rewards[2] is NaN (must be finite)")]
    [TestCase("discounts", "discounts[2] is 1.5 (must be in [0, 1])")]
    [TestCase("observations", "observations[2] is Infinity (must be finite)")]
    [TestCase("total_added", "total_added 1 is less than count 5")]
    public void Out_of_range_values_are_refused_naming_the_field(string field, string problem)
    {
        var buffer = new ReplayBuffer(10, new Box([1], 0f, 1f));
        Fill(buffer, 5, 1);
        string path = Path.Combine(_dir, "replay.msgpack");
        ReplayFile.Save(buffer, path);
        // Rewrite the body as an edited (well-formed, checksum-free) file would be: same header, one bad value.
        var bytes = File.ReadAllBytes(path);
        var options = MessagePack.MessagePackSerializerOptions.Standard.WithCompression(MessagePack.MessagePackCompression.Lz4BlockArray);
        var contents = MessagePack.MessagePackSerializer.Deserialize<ReplayFileContents>(bytes.AsMemory(12), options);
        switch (field)
        {
            case "actions": contents.Actions[2] = -4; break;
            case "rewards": contents.Rewards[2] = float.NaN; break;
            case "discounts": contents.Discounts[2] = 1.5f; break;
            case "observations": contents.ObservationFloats![2] = float.PositiveInfinity; break;
            case "total_added": contents.TotalAdded = 1; break;
        }
        File.WriteAllBytes(path, [.. bytes[..12], .. MessagePack.MessagePackSerializer.Serialize(contents, options)]);
        var ex = Assert.Throws<InvalidDataException>(() => ReplayFile.Load(new ReplayBuffer(10, new Box([1], 0f, 1f)), path));
        Assert.That(ex!.Message, Is.EqualTo($"Replay buffer file '{path}' is invalid: {problem}."));
    }

    [Test]
    public void Corrupt_file_names_the_file()
    {
        var buffer = new ReplayBuffer(10, new Box([1], 0f, 1f));
        Fill(buffer, 5, 1);
        string path = Path.Combine(_dir, "replay.msgpack");
        ReplayFile.Save(buffer, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<InvalidDataException>(() => ReplayFile.Load(new ReplayBuffer(10, new Box([1], 0f, 1f)), path));
        Assert.That(ex!.Message, Does.Contain(path).And.Contain("corrupt"));
    }

    [Test]
    public void Foreign_file_is_rejected_by_its_header()
    {
        string path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "hello, this is not a replay buffer");
        var ex = Assert.Throws<InvalidDataException>(() => ReplayFile.Load(new ReplayBuffer(10, new Box([1], 0f, 1f)), path));
        Assert.That(ex!.Message, Does.Contain("not a DeepRL replay buffer file"));
    }

    [Test]
    public void Mismatched_buffer_shape_is_explained()
    {
        var buffer = new ReplayBuffer(10, new Box([2], 0f, 1f));
        Fill(buffer, 3, 2);
        string path = Path.Combine(_dir, "replay.msgpack");
        ReplayFile.Save(buffer, path);
        var ex = Assert.Throws<InvalidDataException>(() => ReplayFile.Load(new ReplayBuffer(10, new Box([3], 0f, 1f)), path));
        Assert.That(ex!.Message, Does.Contain("[2]").And.Contain("[3]"));
    }

    [Test]
    public void Missing_file_is_reported()
    {
        Assert.Throws<FileNotFoundException>(() => ReplayFile.Load(new ReplayBuffer(10, new Box([1], 0f, 1f)), Path.Combine(_dir, "none")));
    }
}
