using DeepRL.Agents.Benchmarking;
using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using DeepRL.Rendering.Plots;

namespace DeepRL.Cli.Benchmark;

/// <summary>Writes a benchmark's results.csv, summary.md and plots/ from its run folders (also `deeprl benchmark report`).</summary>
public static class BenchmarkOutputs
{
    public const int RandomEpisodes = 100;

    public static IReadOnlyList<CellResult> Write(string folder, BenchmarkSpec spec, EnvRegistry registry)
    {
        var results = BenchmarkResults.Collect(folder, spec);
        BenchmarkReport.WriteCsv(Path.Combine(folder, BenchmarkReport.ResultsFile), results);
        var random = spec.Envs.ToDictionary(env => env, env => RandomScore(registry, env));
        string command = File.Exists(CommandFile(folder)) ? File.ReadAllText(CommandFile(folder)).Trim() : "deeprl benchmark";
        Agents.Training.AtomicFile.WriteAllText(Path.Combine(folder, BenchmarkReport.SummaryFile), BenchmarkReport.Summary(spec, results, random, command));

        string plots = Path.Combine(folder, "plots");
        Directory.CreateDirectory(plots);
        foreach (var env in spec.Envs)
        {
            var curves = new List<CurveBand>();
            foreach (var algo in spec.Algos)
            {
                var runs = results.Where(r => r.Cell.Env == env && r.Cell.Algo == algo && r.Curve.Count > 0).Select(r => r.Curve).ToList();
                var (steps, mean, low, high) = BenchmarkCurves.MeanWithCi(runs, spec.EvalEvery);
                curves.Add(new CurveBand($"{algo} ({runs.Count} seeds)", steps, mean, low, high));
            }
            if (curves.All(c => c.Steps.Length == 0)) continue;
            LearningCurvePlot.SavePng(BenchmarkPlots.Curves(env, curves), Path.Combine(plots, PlotName(env)));
        }
        var aggregate = BenchmarkReport.Aggregate(spec, results, random, BenchmarkReport.References(spec, results))
            .Select(a => new ScoreInterval(a.Algo, a.Iqm, a.Low, a.High)).ToList();
        if (aggregate.Count > 0)
            LearningCurvePlot.SavePng(BenchmarkPlots.Aggregate(aggregate, $"Aggregate over {spec.Envs.Length} env(s)"), Path.Combine(plots, "aggregate.png"), 700, 480);
        return results;
    }

    public static string CommandFile(string folder) => Path.Combine(folder, "command.txt");

    public static string PlotName(string env) => Agents.Training.RunDirectory.Sanitize(env) + ".png";

    /// <summary>The uniformly random policy's mean return (0 of the normalized scale), on fixed seeds.</summary>
    private static double RandomScore(EnvRegistry registry, string env)
    {
        using var e = registry.Make(env);
        return EpisodeRunner.Run(e, new RandomPolicy(e.ActionSpace, 0), RandomEpisodes, seed: 0).MeanReturn;
    }
}
