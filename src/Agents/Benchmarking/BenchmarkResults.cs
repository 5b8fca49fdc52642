using System.Globalization;
using DeepRL.Agents.Training;

namespace DeepRL.Agents.Benchmarking;

/// <summary>
/// What one cell of a benchmark produced, read back from its run folder (summary.json, evaluations.csv) and, for a
/// cell that failed, from the exit code its child process left in logs/. Final return = the final report's mean
/// (latest weights, fresh seeds) when the run finished, else its last evaluation.
/// </summary>
public sealed record CellResult(
    BenchmarkCell Cell,
    string Status,
    double? FinalReturn,
    double? BestReturn,
    double? AreaUnderCurve,
    long Steps,
    double WallClockSeconds,
    double Fps,
    double? RewardThreshold,
    long? StepsToThreshold,
    double? SecondsToThreshold,
    IReadOnlyList<(long Step, double Return)> Curve,
    string? Node = null)
{
    /// <summary>Finished training (completed, or stopped early as solved).</summary>
    public bool Finished => Status is "completed" or "solved";
}

/// <summary>Reads every cell of a benchmark folder.</summary>
public static class BenchmarkResults
{
    public static string RunsFolder(string benchmarkFolder) => Path.Combine(benchmarkFolder, "runs");

    public static string LogsFolder(string benchmarkFolder) => Path.Combine(benchmarkFolder, "logs");

    /// <summary>The file in which the benchmark records a cell's child-process exit code.</summary>
    public static string ExitCodeFile(string benchmarkFolder, BenchmarkCell cell) => Path.Combine(LogsFolder(benchmarkFolder), cell.Name + ".exit");

    /// <summary>The file in which a cluster grid records the node that trained (or is training) a cell; none in a local grid.</summary>
    public static string NodeFile(string benchmarkFolder, BenchmarkCell cell) => Path.Combine(LogsFolder(benchmarkFolder), cell.Name + ".node");

    public static IReadOnlyList<CellResult> Collect(string benchmarkFolder, BenchmarkSpec spec) =>
        spec.Cells().Select(cell => Read(benchmarkFolder, cell)).ToList();

    public static CellResult Read(string benchmarkFolder, BenchmarkCell cell)
    {
        string folder = Path.Combine(RunsFolder(benchmarkFolder), cell.Name);
        var curve = ReadCurve(Path.Combine(folder, "evaluations.csv"));
        RunSummary? summary = File.Exists(Path.Combine(folder, "summary.json")) ? CheckpointFiles.ReadJson<RunSummary>(Path.Combine(folder, "summary.json")) : null;
        string status = summary?.Status ?? ExitStatus(benchmarkFolder, cell) ?? (Directory.Exists(folder) ? "incomplete" : "pending");
        double? threshold = summary?.RewardThreshold;
        int reached = threshold is double t ? curve.FindIndex(p => p.Return >= t) : -1;
        return new CellResult(cell, status,
            FinalReturn: summary?.FinalEval?.MeanReturn ?? (curve.Count > 0 ? curve[^1].Return : null),
            BestReturn: summary?.BestEval?.MeanReturn ?? (curve.Count > 0 ? curve.Max(p => p.Return) : null),
            AreaUnderCurve: curve.Count > 0 ? BenchmarkStatistics.NormalizedAreaUnderCurve(curve.Select(p => (p.Step, p.Return)).ToList()) : null,
            Steps: summary?.Steps ?? (curve.Count > 0 ? curve[^1].Step : 0),
            WallClockSeconds: summary?.WallTimeSeconds ?? 0,
            Fps: summary?.TrainFps ?? 0,
            RewardThreshold: threshold,
            StepsToThreshold: reached >= 0 ? curve[reached].Step : null,
            SecondsToThreshold: reached >= 0 ? curve[reached].Seconds : null,
            Curve: curve.Select(p => (p.Step, p.Return)).ToList(),
            Node: File.Exists(NodeFile(benchmarkFolder, cell)) ? File.ReadAllText(NodeFile(benchmarkFolder, cell)).Trim() : null);
    }

    /// <summary>"failed (exit N)" or "killed (signal N)" when the cell's child process ended badly and left no summary.</summary>
    private static string? ExitStatus(string benchmarkFolder, BenchmarkCell cell)
    {
        string file = ExitCodeFile(benchmarkFolder, cell);
        if (!File.Exists(file) || !int.TryParse(File.ReadAllText(file).Trim(), out int code) || code == 0) return null;
        return code > 128 ? $"killed (signal {code - 128})" : $"failed (exit {code})";
    }

    private static List<(long Step, double Return, double Seconds)> ReadCurve(string path)
    {
        var points = new List<(long, double, double)>();
        if (!File.Exists(path)) return points;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            // A torn last line (a killed run) or a non-finite mean is left out rather than guessed.
            if (f.Length < 6 || !long.TryParse(f[0], CultureInfo.InvariantCulture, out long step)
                || !double.TryParse(f[1], CultureInfo.InvariantCulture, out double mean) || !double.IsFinite(mean)
                || !double.TryParse(f[5], CultureInfo.InvariantCulture, out double seconds)) continue;
            points.Add((step, mean, seconds));
        }
        return points;
    }
}
