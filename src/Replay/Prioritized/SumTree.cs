namespace DeepRL.Replay.Prioritized;

/// <summary>
/// Binary tree over <c>capacity</c> leaves where each inner node holds the sum (and the minimum) of its
/// children: O(log n) priority updates, prefix-sum search for proportional sampling, and the minimum
/// priority for the largest importance weight.
/// </summary>
public sealed class SumTree
{
    private readonly int _leaves;
    private readonly double[] _sum;
    private readonly double[] _min;

    public SumTree(int capacity)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
        _leaves = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _sum = new double[2 * _leaves];
        _min = new double[2 * _leaves];
        Array.Fill(_min, double.PositiveInfinity);
    }

    public int Capacity { get; }

    public double Total => _sum[1];

    public double Min => _min[1];

    public double this[int index] => _sum[_leaves + index];

    public void Set(int index, double priority)
    {
        if ((uint)index >= (uint)Capacity) throw new ArgumentOutOfRangeException(nameof(index));
        if (!(priority >= 0) || double.IsInfinity(priority)) throw new ArgumentOutOfRangeException(nameof(priority), priority, "Priorities must be finite and non-negative.");
        int node = _leaves + index;
        _sum[node] = priority;
        _min[node] = priority;
        for (node /= 2; node >= 1; node /= 2)
        {
            _sum[node] = _sum[2 * node] + _sum[2 * node + 1];
            _min[node] = Math.Min(_min[2 * node], _min[2 * node + 1]);
        }
    }

    /// <summary>The leaf whose cumulative-sum interval contains <paramref name="prefix"/> (0 ≤ prefix &lt; Total).</summary>
    public int Find(double prefix)
    {
        int node = 1;
        while (node < _leaves)
        {
            int left = 2 * node;
            if (prefix < _sum[left]) node = left;
            else
            {
                prefix -= _sum[left];
                node = left + 1;
            }
        }
        return Math.Min(node - _leaves, Capacity - 1);
    }
}
