namespace DeepRL.Environments.Evaluation;

/// <summary>Returns and lengths of a set of finished episodes, with the usual summaries.</summary>
public sealed record EpisodeStats(IReadOnlyList<double> Returns, IReadOnlyList<int> Lengths)
{
    public int Count => Returns.Count;

    public double MeanReturn => Returns.Count == 0 ? double.NaN : Returns.Average();

    /// <summary>Population standard deviation (as numpy's default, which SB3 and CleanRL report).</summary>
    public double StdReturn => Std(Returns);

    public double MeanLength => Lengths.Count == 0 ? double.NaN : Lengths.Average();

    public double StdLength => Std(Lengths.Select(l => (double)l).ToList());

    private static double Std(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    public override string ToString() =>
        $"mean return {MeanReturn:F2} ± {StdReturn:F2} over {Count} episodes (length {MeanLength:F1} ± {StdLength:F1})";
}
