namespace DeepRL.Agents.Distributed;

/// <summary>
/// Policy lag: how many learner updates behind the learner's current weights the policy that produced a piece of
/// experience was (learner version − behaviour version). Counted exactly per lag value (lags are small integers), so
/// mean, p95 and max are exact for a window (TensorBoard, metrics) and for the whole session (summary.json).
/// </summary>
public sealed class PolicyLag
{
    private readonly SortedDictionary<long, long> _counts = new();
    private long _total, _sum;

    public long Count => _total;

    public void Add(long lag)
    {
        if (lag < 0) throw new ArgumentOutOfRangeException(nameof(lag), $"A policy lag cannot be negative (got {lag}): experience from a version the learner has not published.");
        _counts[lag] = _counts.GetValueOrDefault(lag) + 1;
        _total++;
        _sum += lag;
    }

    public void Clear()
    {
        _counts.Clear();
        _total = _sum = 0;
    }

    public PolicyLagStats? Stats()
    {
        if (_total == 0) return null;
        long p95Rank = (long)Math.Ceiling(0.95 * _total), seen = 0, p95 = 0;
        foreach (var (lag, count) in _counts)
        {
            seen += count;
            if (seen >= p95Rank)
            {
                p95 = lag;
                break;
            }
        }
        return new PolicyLagStats((double)_sum / _total, p95, _counts.Keys.Max(), _total);
    }
}

/// <summary>Mean, 95th percentile and maximum policy lag over <see cref="Samples"/> pieces of experience.</summary>
public sealed record PolicyLagStats(double Mean, long P95, long Max, long Samples);
