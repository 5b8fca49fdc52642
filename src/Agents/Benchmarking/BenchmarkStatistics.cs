using DeepRL.Environments;

namespace DeepRL.Agents.Benchmarking;

/// <summary>
/// The aggregate statistics of Agarwal et al. 2021, "Deep RL at the Edge of the Statistical Precipice": the
/// interquartile mean (IQM: the mean of the middle 50% of runs) and percentile confidence intervals from a
/// stratified bootstrap (runs are resampled with replacement within each task, so every task keeps its number
/// of runs). Matches rliable's definitions (scipy's trim_mean with 25% cut from each end).
/// </summary>
public static class BenchmarkStatistics
{
    /// <summary>Mean after dropping ⌊n/4⌋ of the lowest and of the highest values (scipy.stats.trim_mean(x, 0.25)).</summary>
    public static double InterquartileMean(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("The IQM of no values is undefined.", nameof(values));
        var sorted = values.OrderBy(v => v).ToArray();
        int cut = sorted.Length / 4;
        return sorted.Skip(cut).Take(sorted.Length - 2 * cut).Average();
    }

    /// <summary>
    /// The IQM over all runs of all tasks together, and its 95% (by default) percentile interval from a stratified
    /// bootstrap of <paramref name="repetitions"/> resamples. <paramref name="scoresPerTask"/>: one list of run scores per task.
    /// </summary>
    public static (double Iqm, double Low, double High) IqmWithBootstrapCi(IReadOnlyList<IReadOnlyList<double>> scoresPerTask,
        int repetitions = 10_000, double confidence = 0.95, ulong seed = 0)
    {
        if (scoresPerTask.Count == 0 || scoresPerTask.Any(t => t.Count == 0))
            throw new ArgumentException("Every task needs at least one run score.", nameof(scoresPerTask));
        double point = InterquartileMean(scoresPerTask.SelectMany(t => t).ToList());
        var rng = new Rng(seed);
        int total = scoresPerTask.Sum(t => t.Count);
        var sample = new double[total];
        var estimates = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            int k = 0;
            foreach (var task in scoresPerTask)
            {
                for (int i = 0; i < task.Count; i++) sample[k++] = task[rng.NextInt(task.Count)];
            }
            estimates[r] = InterquartileMean(sample);
        }
        Array.Sort(estimates);
        double alpha = (1 - confidence) / 2;
        return (point, Percentile(estimates, alpha), Percentile(estimates, 1 - alpha));
    }

    /// <summary>Linear-interpolation percentile of sorted values (numpy's default), q in [0, 1].</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position), high = Math.Min(sorted.Count - 1, low + 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    /// <summary>
    /// The area under an evaluation curve (trapezoids over steps) divided by the steps it spans: the average
    /// evaluation return over training, which rewards learning early as well as well. One point: its value.
    /// </summary>
    public static double NormalizedAreaUnderCurve(IReadOnlyList<(long Step, double Return)> curve)
    {
        if (curve.Count == 0) return double.NaN;
        if (curve.Count == 1) return curve[0].Return;
        double area = 0;
        for (int i = 1; i < curve.Count; i++) area += (curve[i].Step - curve[i - 1].Step) * (curve[i].Return + curve[i - 1].Return) / 2;
        long span = curve[^1].Step - curve[0].Step;
        return span == 0 ? curve[^1].Return : area / span;
    }

    /// <summary>Score normalized between a random policy (0) and a reference (1), as the aggregate over envs needs.</summary>
    public static double Normalize(double score, double random, double reference) =>
        reference == random ? double.NaN : (score - random) / (reference - random);
}

/// <summary>Evaluation curves across seeds, put on common steps for plotting.</summary>
public static class BenchmarkCurves
{
    /// <summary>
    /// On the grid of multiples of <paramref name="gridStep"/> (evaluations fall a few steps past them when envs step in
    /// batches, and A3C's workers land anywhere): each run's value by linear interpolation inside its range, or its
    /// first/last value within half a grid step of its ends (never further); then the mean across runs and a 95%
    /// percentile-bootstrap CI of that mean (over seeds).
    /// </summary>
    public static (double[] Steps, double[] Mean, double[] Low, double[] High) MeanWithCi(IReadOnlyList<IReadOnlyList<(long Step, double Return)>> runs,
        long gridStep, int repetitions = 2000, ulong seed = 0)
    {
        if (gridStep <= 0) throw new ArgumentOutOfRangeException(nameof(gridStep), gridStep, "The grid step must be positive.");
        long last = runs.Where(r => r.Count > 0).Select(r => r[^1].Step).DefaultIfEmpty(0).Max();
        long first = runs.Where(r => r.Count > 0).Select(r => r[0].Step).DefaultIfEmpty(0).Min();
        var steps = new List<long>();
        for (long g = (first + gridStep / 2) / gridStep * gridStep; g <= last + gridStep / 2; g += gridStep) steps.Add(g);
        var rng = new Rng(seed);
        var xs = new List<double>();
        var mean = new List<double>();
        var low = new List<double>();
        var high = new List<double>();
        var estimates = new double[repetitions];
        foreach (long step in steps)
        {
            var values = runs.Select(r => Interpolate(r, step, gridStep / 2)).Where(v => v is not null).Select(v => v!.Value).ToArray();
            if (values.Length == 0) continue;
            for (int b = 0; b < repetitions; b++)
            {
                double sum = 0;
                for (int i = 0; i < values.Length; i++) sum += values[rng.NextInt(values.Length)];
                estimates[b] = sum / values.Length;
            }
            Array.Sort(estimates);
            xs.Add(step);
            mean.Add(values.Average());
            low.Add(BenchmarkStatistics.Percentile(estimates, 0.025));
            high.Add(BenchmarkStatistics.Percentile(estimates, 0.975));
        }
        return (xs.ToArray(), mean.ToArray(), low.ToArray(), high.ToArray());
    }

    private static double? Interpolate(IReadOnlyList<(long Step, double Return)> run, long step, long tolerance)
    {
        if (run.Count == 0 || step < run[0].Step - tolerance || step > run[^1].Step + tolerance) return null;
        if (step <= run[0].Step) return run[0].Return;
        if (step >= run[^1].Step) return run[^1].Return;
        for (int i = 0; i < run.Count; i++)
        {
            if (run[i].Step == step) return run[i].Return;
            if (run[i].Step > step)
            {
                var (a, b) = (run[i - 1], run[i]);
                return a.Return + (b.Return - a.Return) * (step - a.Step) / (double)(b.Step - a.Step);
            }
        }
        return null;
    }
}
