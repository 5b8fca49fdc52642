using System.Globalization;
using System.Text;
using DeepRL.Agents.Training;

namespace DeepRL.Agents.Benchmarking;

/// <summary>
/// Turns a benchmark's cells into results.csv (one row per cell) and summary.md (per env × algorithm: mean ± std,
/// IQM with a 95% stratified-bootstrap CI, time and steps to the threshold; then an aggregate over envs of scores
/// normalized between a random policy and a reference score).
/// </summary>
public static class BenchmarkReport
{
    public const string ResultsFile = "results.csv", SummaryFile = "summary.md";

    public const int BootstrapRepetitions = 10_000;

    public static void WriteCsv(string path, IReadOnlyList<CellResult> results)
    {
        var sb = new StringBuilder("env,algo,seed,status,final_return,best_return,auc,steps,wall_clock_s,fps,reward_threshold,steps_to_threshold,seconds_to_threshold,node\n");
        foreach (var r in results)
        {
            sb.AppendJoin(',', Csv(r.Cell.Env), r.Cell.Algo, r.Cell.Seed, Csv(r.Status), Num(r.FinalReturn), Num(r.BestReturn), Num(r.AreaUnderCurve),
                r.Steps, Num(r.WallClockSeconds), Num(r.Fps), Num(r.RewardThreshold), r.StepsToThreshold?.ToString(CultureInfo.InvariantCulture) ?? "",
                Num(r.SecondsToThreshold), Csv(r.Node ?? ""));
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>A reference score per env for normalization: the suite's, else the env's reward threshold, else the best final return here.</summary>
    public static Dictionary<string, (double Score, string Source)> References(BenchmarkSpec spec, IReadOnlyList<CellResult> results) =>
        spec.Envs.ToDictionary(env => env, env =>
        {
            if (spec.ReferenceScores.TryGetValue(env, out double given)) return (given, "suite reference");
            if (results.FirstOrDefault(r => r.Cell.Env == env && r.RewardThreshold is not null)?.RewardThreshold is double threshold)
                return (threshold, "reward threshold");
            var finals = results.Where(r => r.Cell.Env == env && r.FinalReturn is not null).Select(r => r.FinalReturn!.Value).ToList();
            return (finals.Count > 0 ? finals.Max() : double.NaN, "best final return in this benchmark");
        });

    public static string Summary(BenchmarkSpec spec, IReadOnlyList<CellResult> results, IReadOnlyDictionary<string, double> randomScores, string command)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Benchmark: {spec.Envs.Length} env(s) × {spec.Algos.Length} algorithm(s) × {spec.Seeds} seed(s)");
        sb.AppendLine();
        sb.AppendLine($"Command: `{command}`");
        sb.AppendLine();
        sb.AppendLine($"Steps per cell: {(spec.Steps is long s ? s.ToString("N0", CultureInfo.InvariantCulture) : "each algorithm's per-env default")}; " +
                      $"evaluation every {spec.EvalEvery:N0} steps over {spec.EvalEpisodes} episodes. Final return = the final report's mean " +
                      "(latest weights, 100 fresh episodes) or, if a run did not finish, its last evaluation. IQM = mean of the middle 50% " +
                      $"of seeds; its 95% CI is a percentile bootstrap over seeds ({BootstrapRepetitions:N0} resamples; stratified by env in the aggregate).");
        foreach (var env in spec.Envs)
        {
            sb.AppendLine();
            sb.AppendLine($"## {env}");
            sb.AppendLine();
            sb.AppendLine("| algorithm | finished | final return (mean ± std) | IQM [95% CI] | best evaluation (mean) | mean eval return over training (AUC) | reached threshold | steps to threshold (median) | time to threshold (median) | fps (median) |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var algo in spec.Algos)
            {
                var cells = results.Where(r => r.Cell.Env == env && r.Cell.Algo == algo).ToList();
                var finals = cells.Where(r => r.FinalReturn is not null).Select(r => r.FinalReturn!.Value).ToList();
                string iqm = "—";
                if (finals.Count > 0)
                {
                    var (point, low, high) = BenchmarkStatistics.IqmWithBootstrapCi([finals], BootstrapRepetitions);
                    iqm = $"{F(point)} [{F(low)}, {F(high)}]";
                }
                var reached = cells.Where(r => r.StepsToThreshold is not null).ToList();
                bool hasThreshold = cells.Any(r => r.RewardThreshold is not null);
                sb.AppendLine($"| {algo} | {cells.Count(r => r.Finished)}/{cells.Count} | {MeanStd(finals)} | {iqm} | " +
                              $"{MeanOf(cells.Select(r => r.BestReturn))} | {MeanOf(cells.Select(r => r.AreaUnderCurve))} | " +
                              $"{(hasThreshold ? $"{reached.Count}/{cells.Count}" : "no threshold")} | " +
                              $"{(reached.Count > 0 ? Median(reached.Select(r => (double)r.StepsToThreshold!.Value)).ToString("N0", CultureInfo.InvariantCulture) : "—")} | " +
                              $"{(reached.Count > 0 ? $"{Median(reached.Select(r => r.SecondsToThreshold ?? double.NaN)):F1} s" : "—")} | " +
                              $"{(cells.Any(r => r.Fps > 0) ? Median(cells.Where(r => r.Fps > 0).Select(r => r.Fps)).ToString("N0", CultureInfo.InvariantCulture) : "—")} |");
            }
        }

        var references = References(spec, results);
        sb.AppendLine();
        sb.AppendLine("## Aggregate over envs (normalized: 0 = random policy, 1 = reference score)");
        sb.AppendLine();
        sb.AppendLine("| algorithm | IQM of normalized final returns [95% CI] | runs |");
        sb.AppendLine("|---|---|---|");
        foreach (var (algo, iqm, low, high, runs) in Aggregate(spec, results, randomScores, references))
            sb.AppendLine($"| {algo} | {F(iqm)} [{F(low)}, {F(high)}] | {runs} |");
        sb.AppendLine();
        sb.AppendLine("| env | random policy | reference | reference from |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var env in spec.Envs)
            sb.AppendLine($"| {env} | {F(randomScores.GetValueOrDefault(env, double.NaN))} | {F(references[env].Score)} | {references[env].Source} |");

        var problems = results.Where(r => !r.Finished).ToList();
        if (problems.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Cells that did not finish");
            sb.AppendLine();
            foreach (var r in problems) sb.AppendLine($"- {r.Cell.Name}: {r.Status} (log: logs/{r.Cell.Name}.log)");
        }
        return sb.ToString();
    }

    /// <summary>Per algorithm: the IQM over all envs' normalized final returns with its stratified-bootstrap CI.</summary>
    public static IEnumerable<(string Algo, double Iqm, double Low, double High, int Runs)> Aggregate(BenchmarkSpec spec, IReadOnlyList<CellResult> results,
        IReadOnlyDictionary<string, double> randomScores, IReadOnlyDictionary<string, (double Score, string Source)> references)
    {
        foreach (var algo in spec.Algos)
        {
            var perEnv = spec.Envs
                .Select(env => results.Where(r => r.Cell.Env == env && r.Cell.Algo == algo && r.FinalReturn is not null)
                    .Select(r => BenchmarkStatistics.Normalize(r.FinalReturn!.Value, randomScores.GetValueOrDefault(env, double.NaN), references[env].Score))
                    .Where(double.IsFinite).ToList())
                .Where(scores => scores.Count > 0)
                .Select(scores => (IReadOnlyList<double>)scores)
                .ToList();
            if (perEnv.Count == 0) continue;
            var (iqm, low, high) = BenchmarkStatistics.IqmWithBootstrapCi(perEnv, BootstrapRepetitions);
            yield return (algo, iqm, low, high, perEnv.Sum(s => s.Count));
        }
    }

    private static string MeanStd(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return "—";
        double mean = values.Average();
        double std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return $"{F(mean)} ± {F(std)}";
    }

    private static string MeanOf(IEnumerable<double?> values)
    {
        var list = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return list.Count == 0 ? "—" : F(list.Average());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return BenchmarkStatistics.Percentile(sorted, 0.5);
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString(Math.Abs(v) >= 100 ? "0.#" : "0.###", CultureInfo.InvariantCulture) : "—";

    private static string Num(double? v) => v is double d && double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
