using DeepRL.Environments;
using DeepRL.Environments.Spaces;

namespace DeepRL.Replay.Prioritized;

/// <summary>
/// Proportional prioritized replay (Schaul et al. 2016): transition i is sampled with probability
/// pᵢ^α / Σ p^α, and its loss is weighted by (N·P(i))^−β / max w to correct the bias. New transitions get
/// the largest priority seen so far; <see cref="UpdatePriorities"/> sets |TD error| + ε after each update.
/// Sampling is stratified: one draw from each of B equal slices of the total.
/// </summary>
public sealed class PrioritizedReplayBuffer : ReplayBuffer
{
    private readonly SumTree _tree;
    private double _maxPriority = 1.0;

    public PrioritizedReplayBuffer(int capacity, Box observationSpace, double alpha = 0.6, double epsilon = 1e-6,
        TorchSharp.torch.Device? storageDevice = null)
        : base(capacity, observationSpace, storageDevice)
    {
        if (alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "per_alpha must be ≥ 0.");
        Alpha = alpha;
        Epsilon = epsilon;
        _tree = new SumTree(capacity);
    }

    public double Alpha { get; }

    public double Epsilon { get; }

    /// <summary>Importance-sampling exponent; anneal it from β₀ towards 1 over training.</summary>
    public double Beta { get; set; } = 0.4;

    internal SumTree Tree => _tree;

    internal double MaxPriority
    {
        get => _maxPriority;
        set => _maxPriority = value;
    }

    /// <summary>Sampling probability of slot <paramref name="index"/>.</summary>
    public double Probability(int index) => _tree[index] / _tree.Total;

    protected override void OnAdded(int index) => _tree.Set(index, Math.Pow(_maxPriority, Alpha));

    protected override void ChooseIndices(ReplayBatch batch, Rng rng)
    {
        double total = _tree.Total;
        double segment = total / batch.BatchSize;
        // Largest weight comes from the smallest probability; normalising by it keeps weights ≤ 1.
        double maxWeight = Math.Pow(Count * (_tree.Min / total), -Beta);
        for (int b = 0; b < batch.BatchSize; b++)
        {
            double prefix = segment * (b + rng.NextDouble());
            int index = _tree.Find(Math.Min(prefix, total * (1 - 1e-12)));
            if (index >= Count) index = rng.NextInt(Count); // guard against float round-off at the right edge
            batch.Indices[b] = index;
            double p = _tree[index] / total;
            batch.HostWeights[b] = (float)(Math.Pow(Count * p, -Beta) / maxWeight);
        }
    }

    /// <summary>Sets priorities (e.g. |TD error|) of sampled slots; ε keeps every transition sampleable.</summary>
    public void UpdatePriorities(ReadOnlySpan<int> indices, ReadOnlySpan<float> priorities)
    {
        for (int k = 0; k < indices.Length; k++)
        {
            double p = Math.Abs(priorities[k]) + Epsilon;
            _maxPriority = Math.Max(_maxPriority, p);
            _tree.Set(indices[k], Math.Pow(p, Alpha));
        }
    }
}
