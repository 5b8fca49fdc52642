using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Replay;
using DeepRL.Replay.Prioritized;
using static TorchSharp.torch;

namespace DeepRL.Tests.Replay;

[Category("Fast")]

public class PrioritizedReplayTests
{
    [Test]
    public void Sum_tree_keeps_sums_and_minimum_and_finds_prefixes()
    {
        var tree = new SumTree(5);
        double[] p = [1, 2, 3, 4, 5];
        for (int i = 0; i < 5; i++) tree.Set(i, p[i]);
        Assert.That(tree.Total, Is.EqualTo(15));
        Assert.That(tree.Min, Is.EqualTo(1));
        Assert.That(tree.Find(0.5), Is.EqualTo(0));
        Assert.That(tree.Find(1.0), Is.EqualTo(1));
        Assert.That(tree.Find(2.99), Is.EqualTo(1));
        Assert.That(tree.Find(3.0), Is.EqualTo(2));
        Assert.That(tree.Find(14.99), Is.EqualTo(4));
        tree.Set(4, 0.5);
        Assert.That((tree.Total, tree.Min), Is.EqualTo((10.5, 0.5)));
    }

    [Test]
    public void Sampling_frequencies_follow_priorities_to_the_power_alpha()
    {
        // Priorities 1..4 with α = 1: probabilities 0.1, 0.2, 0.3, 0.4. Chi-square test at a fixed seed.
        var buffer = new PrioritizedReplayBuffer(4, new Box([1], 0f, 10f), alpha: 1.0, epsilon: 1e-9);
        for (int i = 0; i < 4; i++) buffer.Add(new Transition([i], 0, 0, [i], 0));
        buffer.UpdatePriorities([0, 1, 2, 3], [1f, 2f, 3f, 4f]);
        using var batch = new ReplayBatch(50, [1], CPU);
        var counts = new double[4];
        var rng = new Rng(2024);
        const int rounds = 800;
        for (int k = 0; k < rounds; k++)
        {
            buffer.Sample(batch, rng);
            foreach (int i in batch.Indices) counts[i]++;
        }
        double total = rounds * 50.0, chi2 = 0;
        double[] expected = [0.1, 0.2, 0.3, 0.4];
        for (int i = 0; i < 4; i++) chi2 += Math.Pow(counts[i] - expected[i] * total, 2) / (expected[i] * total);
        Assert.That(chi2, Is.LessThan(11.34), $"chi² = {chi2:F2} (3 dof, p = 0.01); counts {string.Join(", ", counts)}");
        for (int i = 0; i < 4; i++) Assert.That(buffer.Probability(i), Is.EqualTo(expected[i]).Within(1e-9));
    }

    [Test]
    public void Alpha_flattens_priorities()
    {
        var buffer = new PrioritizedReplayBuffer(2, new Box([1], 0f, 10f), alpha: 0.5, epsilon: 1e-9);
        buffer.Add(new Transition([0], 0, 0, [0], 0));
        buffer.Add(new Transition([1], 0, 0, [1], 0));
        buffer.UpdatePriorities([0, 1], [1f, 4f]);
        Assert.That(buffer.Probability(1), Is.EqualTo(2.0 / 3.0).Within(1e-9), "√4 / (√1 + √4)");
    }

    [Test]
    public void Importance_weights_are_normalised_by_the_largest()
    {
        var buffer = new PrioritizedReplayBuffer(2, new Box([1], 0f, 10f), alpha: 1.0, epsilon: 1e-9) { Beta = 1.0 };
        buffer.Add(new Transition([0], 0, 0, [0], 0));
        buffer.Add(new Transition([1], 0, 0, [1], 0));
        buffer.UpdatePriorities([0, 1], [1f, 3f]);
        using var batch = new ReplayBatch(64, [1], CPU);
        buffer.Sample(batch, new Rng(5));
        var w = batch.Weights.data<float>().ToArray();
        for (int b = 0; b < 64; b++)
        {
            // P = 0.25 or 0.75; w = (N·P)^-1 / max = (0.5)^-1/(0.5)^-1 = 1 for the rare one, (1.5)^-1 / 2 = 1/3 for the common.
            float expected = batch.Indices[b] == 0 ? 1f : 1f / 3f;
            Assert.That(w[b], Is.EqualTo(expected).Within(1e-5));
        }
    }

    [Test]
    public void New_transitions_get_the_maximum_priority_seen()
    {
        var buffer = new PrioritizedReplayBuffer(3, new Box([1], 0f, 10f), alpha: 1.0, epsilon: 1e-9);
        buffer.Add(new Transition([0], 0, 0, [0], 0));
        buffer.UpdatePriorities([0], [5f]);
        buffer.Add(new Transition([1], 0, 0, [1], 0));
        Assert.That(buffer.Probability(1), Is.EqualTo(0.5).Within(1e-6));
    }
}
