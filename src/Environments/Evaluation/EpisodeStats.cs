namespace DeepRL.Environments.Evaluation;

/// <summary>Returns and lengths of a set of finished episodes, with the usual summaries.</summary>
public sealed record EpisodeStats(IReadOnlyList<double> Returns, IReadOnlyList<int> Lengths)
{
    public int Count => Returns.Count;

    public double MeanReturn => Returns.Count == 0 ? double.NaN : Returns.Average();

    /// <summary>Population standard deviation (as numpy's default, which SB3 and CleanRL report).</summary>
    public double StdReturn => Std(Returns);

    /// <summary>
    /// 95% confidence interval of the mean return (Student's t with the sample standard deviation), so two
    /// evaluations can be told apart from noise. A single episode gives an unbounded interval.
    /// </summary>
    public (double Low, double High) MeanReturnCi95
    {
        get
        {
            int n = Returns.Count;
            if (n < 2) return (double.NegativeInfinity, double.PositiveInfinity);
            double mean = MeanReturn;
            double sample = Math.Sqrt(Returns.Sum(v => (v - mean) * (v - mean)) / (n - 1));
            double half = StudentT975(n - 1) * sample / Math.Sqrt(n);
            return (mean - half, mean + half);
        }
    }

    /// <summary>The 97.5% quantile of Student's t distribution with <paramref name="df"/> degrees of freedom.</summary>
    public static double StudentT975(int df)
    {
        ReadOnlySpan<double> table =
        [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ];
        if (df < 1) return double.PositiveInfinity;
        if (df <= table.Length) return table[df - 1];
        // Beyond 30 degrees of freedom: the normal quantile plus the first Cornish–Fisher correction.
        const double z = 1.959964;
        return z + (z * z * z + z) / (4.0 * df);
    }

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
