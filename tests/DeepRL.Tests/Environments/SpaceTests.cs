using DeepRL.Environments;
using DeepRL.Environments.Spaces;

namespace DeepRL.Tests.Environments;

[Category("Fast")]

public class SpaceTests
{
    [Test]
    public void First_invalid_finds_the_first_value_that_is_nan_infinite_or_out_of_bounds_in_a_batch()
    {
        var box = new Box([37], -1f, 1f); // uniform bounds: broadcast over the whole batch
        var values = new float[3 * 37];
        Assert.That(box.FirstInvalid(values), Is.EqualTo(-1));
        values[37 + 30] = -7f;
        Assert.That(box.FirstInvalid(values), Is.EqualTo(67), "found in a later row");
        values[37 + 20] = 1.0001f;
        Assert.That(box.FirstInvalid(values), Is.EqualTo(57), "the first of two");
        values[37 + 20] = 1f;
        values[37 + 5] = float.NaN;
        Assert.That(box.FirstInvalid(values), Is.EqualTo(42), "NaN; bounds are inclusive");
        values[3] = float.PositiveInfinity;
        Assert.That(box.FirstInvalid(values), Is.EqualTo(3), "∞ is invalid");

        var mixed = new Box([3], [float.NegativeInfinity, 0f, -2f], [float.PositiveInfinity, 0f, 2f]);
        Assert.That(mixed.FirstInvalid([3e38f, 0f, 2f, -3e38f, 0f, -2f]), Is.EqualTo(-1), "unbounded dims take any finite value");
        Assert.That(mixed.FirstInvalid([0f, 0f, 0f, float.NegativeInfinity, 0f, 0f]), Is.EqualTo(3), "but not ∞");
        Assert.That(mixed.FirstInvalid([0f, 0f, 0f, 0f, 0f, 2.5f]), Is.EqualTo(5), "per-element bounds");
        Assert.That(mixed.FirstInvalid([0f, 0.5f, 0f]), Is.EqualTo(1));
        Assert.Throws<ArgumentException>(() => mixed.FirstInvalid([0f, 0f]), "not a whole number of elements");
    }

    /// <summary>The copy that checks on the way (bit-range test for non-negative uniform bounds) agrees with FirstInvalid.</summary>
    [TestCase(0f, 1f)]
    [TestCase(0.25f, 3f)]
    [TestCase(0f, 0f)]
    [TestCase(-1f, 1f)]
    [TestCase(0f, float.PositiveInfinity)]
    public void Copy_checked_copies_every_value_and_finds_the_same_first_invalid_one(float low, float high)
    {
        var box = new Box([2, 37], low, high);
        var rng = new Rng(7);
        var special = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, low, high, low - 0.5f, high + 0.5f,
                              BitConverter.UInt32BitsToSingle(0x7F800001), float.Epsilon, -float.Epsilon, 1e-40f };
        for (int trial = 0; trial < 400; trial++)
        {
            var source = new float[74];
            for (int i = 0; i < source.Length; i++)
                source[i] = float.IsFinite(high) ? low + (high - low) * rng.NextFloat() : 5 * rng.NextFloat();
            if (trial % 2 == 1) source[rng.NextInt(source.Length)] = special[rng.NextInt(special.Length)];
            if (trial % 5 == 3) source[rng.NextInt(source.Length)] = special[rng.NextInt(special.Length)];
            var destination = new float[74];
            int found = box.CopyChecked(source, destination);
            Assert.That(destination, Is.EqualTo(source).AsCollection.Using<float>((a, b) => BitConverter.SingleToUInt32Bits(a) == BitConverter.SingleToUInt32Bits(b)),
                "every value copied bit for bit, invalid ones included");
            Assert.That(found, Is.EqualTo(box.FirstInvalid(source)), $"trial {trial}: [{string.Join(", ", source)}]");
        }
        var allValid = new float[74];
        Array.Fill(allValid, low);
        Assert.That(box.CopyChecked(allValid, new float[74]), Is.EqualTo(-1));
    }

    [Test]
    public void Discrete_contains_exactly_zero_to_n_minus_one()
    {
        var d = new Discrete(3);
        Assert.That(d.Contains(0) && d.Contains(2), Is.True);
        Assert.That(d.Contains(-1) || d.Contains(3), Is.False);
    }

    [Test]
    public void Discrete_samples_cover_every_value_and_stay_in_range()
    {
        var d = new Discrete(4);
        var rng = new Rng(1);
        var counts = new int[4];
        for (int i = 0; i < 4000; i++) counts[d.Sample(rng)]++;
        Assert.That(counts, Has.All.InRange(850, 1150));
    }

    [Test]
    public void Discrete_rejects_empty_space() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Discrete(0));

    [Test]
    public void Box_contains_checks_bounds_size_and_nan()
    {
        var b = new Box([2], -1f, 1f);
        Assert.That(b.Contains([0f, 1f]), Is.True);
        Assert.That(b.Contains([0f, 1.01f]), Is.False);
        Assert.That(b.Contains([0f]), Is.False);
        Assert.That(b.Contains([float.NaN, 0f]), Is.False);
    }

    [Test]
    public void Box_samples_inside_bounded_and_handles_unbounded()
    {
        var b = new Box([3], [-1f, 0f, float.NegativeInfinity], [1f, 5f, float.PositiveInfinity]);
        var rng = new Rng(2);
        var x = new float[3];
        for (int i = 0; i < 1000; i++)
        {
            b.Sample(rng, x);
            Assert.That(b.Contains(x), Is.True);
        }
    }

    [Test]
    public void Box_rejects_inverted_bounds() =>
        Assert.Throws<ArgumentException>(() => _ = new Box([1], [1f], [0f]));

    [Test]
    public void Rng_is_reproducible_and_state_round_trips()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        Assert.That(Enumerable.Range(0, 10).Select(_ => a.NextUInt64()), Is.EqualTo(Enumerable.Range(0, 10).Select(_ => b.NextUInt64())));
        var state = a.GetState();
        double next = a.NextDouble();
        var c = new Rng(0);
        c.SetState(state);
        Assert.That(c.NextDouble(), Is.EqualTo(next));
    }
}
