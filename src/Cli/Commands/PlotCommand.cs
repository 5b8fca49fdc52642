using System.CommandLine;
using System.Globalization;
using DeepRL.Agents.Training;
using DeepRL.Rendering.Plots;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl plot</c>: learning curves of one or more runs as a PNG.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var runs = new Option<string[]>("--run") { Description = "Run folder(s) to plot (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var what = new Option<string>("--metric") { Description = "eval (evaluation mean return) or train (training episode return, smoothed)", DefaultValueFactory = _ => "eval" };
        var cmd = new Command("plot", "Plot learning curves (return against env steps) of runs into a PNG") { runs, output, what };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            string metric = parse.GetValue(what)!.ToLowerInvariant();
            if (metric is not ("eval" or "train")) throw new CliException($"--metric must be eval or train, got '{metric}'.");
            string path = parse.GetValue(output)!;
            if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new CliException($"--out '{path}' must be a .png file.");
            var series = new List<PlotSeries>();
            foreach (string runPath in parse.GetValue(runs)!)
            {
                var dir = RunDirectory.Open(runPath);
                var options = RunStore.ReadOptions(dir);
                var points = metric == "eval" ? Read(dir.EvaluationsFile, 1) : Smooth(Read(dir.MetricsFile, 2), 100);
                series.Add(new PlotSeries($"{options.Algo} {options.EnvId} s{options.Seed}", points));
            }
            var plot = LearningCurvePlot.Build(series, metric == "eval" ? "Evaluation return" : "Training episode return (mean of last 100)", "env steps", "return");
            LearningCurvePlot.SavePng(plot, path);
            ctx.Output.WriteLine($"wrote {path} ({series.Count} run(s), {series.Sum(s => s.Points.Count)} points)");
            return 0;
        });
        return cmd;
    }

    private static List<(double X, double Y)> Read(string csv, int column)
    {
        if (!File.Exists(csv)) throw new FileNotFoundException($"'{csv}' does not exist (has the run evaluated yet?).", csv);
        return File.ReadLines(csv).Skip(1)
            .Select(l => l.Split(','))
            .Where(p => p.Length > column && double.TryParse(p[column], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[column], CultureInfo.InvariantCulture)))
            .ToList();
    }

    private static List<(double X, double Y)> Smooth(List<(double X, double Y)> points, int window)
    {
        var result = new List<(double, double)>(points.Count);
        double sum = 0;
        for (int i = 0; i < points.Count; i++)
        {
            sum += points[i].Y;
            if (i >= window) sum -= points[i - window].Y;
            result.Add((points[i].X, sum / Math.Min(i + 1, window)));
        }
        return result;
    }
}
