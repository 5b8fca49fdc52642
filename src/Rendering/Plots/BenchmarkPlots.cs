using ScottPlot;

namespace DeepRL.Rendering.Plots;

/// <summary>One algorithm's evaluation curve across seeds: the mean and a confidence band at each step.</summary>
public sealed record CurveBand(string Name, double[] Steps, double[] Mean, double[] Low, double[] High);

/// <summary>An aggregate score with its confidence interval.</summary>
public sealed record ScoreInterval(string Algorithm, double Value, double Low, double High);

/// <summary>
/// Benchmark figures: per env, each algorithm's mean evaluation return across seeds with its shaded confidence
/// band; across envs, each algorithm's IQM of normalized scores with its CI as an error bar. The statistics come
/// computed (DeepRL.Agents.Benchmarking); this only draws.
/// </summary>
public static class BenchmarkPlots
{
    public static Plot Curves(string env, IReadOnlyList<CurveBand> curves)
    {
        if (curves.All(c => c.Steps.Length == 0)) throw new ArgumentException($"No evaluations to plot for {env}.");
        var plot = new Plot();
        plot.Title(env);
        plot.XLabel("env steps");
        plot.YLabel("evaluation return (mean, 95% CI)");
        var palette = new ScottPlot.Palettes.Category10();
        double xMax = 0;
        for (int a = 0; a < curves.Count; a++)
        {
            var c = curves[a];
            if (c.Steps.Length == 0) continue;
            var color = palette.GetColor(a);
            if (c.Steps.Length > 1)
            {
                var band = plot.Add.FillY(c.Steps, c.High, c.Low);
                band.FillColor = color.WithAlpha(0.2);
                band.LineWidth = 0;
            }
            var line = plot.Add.Scatter(c.Steps, c.Mean);
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = c.Steps.Length == 1 ? 6 : 0;
            line.LegendText = c.Name;
            xMax = Math.Max(xMax, c.Steps[^1]);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => LearningCurvePlot.StepLabel(v, xMax) };
        plot.Axes.Margins(0.02, 0.08);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    public static Plot Aggregate(IReadOnlyList<ScoreInterval> scores, string title)
    {
        if (scores.Count == 0) throw new ArgumentException("No aggregate scores to plot.");
        var plot = new Plot();
        plot.Title(title);
        plot.YLabel("normalized score IQM, 95% CI");
        var palette = new ScottPlot.Palettes.Category10();
        var ticks = new List<Tick>();
        for (int i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            var bar = plot.Add.Bar(i, s.Value);
            bar.Color = palette.GetColor(i).WithAlpha(0.75);
            var ci = plot.Add.Line(i, s.Low, i, s.High);
            ci.LineWidth = 2;
            ci.Color = Colors.Black;
            foreach (double y in new[] { s.Low, s.High })
            {
                var cap = plot.Add.Line(i - 0.15, y, i + 0.15, y);
                cap.LineWidth = 2;
                cap.Color = Colors.Black;
            }
            ticks.Add(new Tick(i, s.Algorithm));
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Margins(0.1, 0.1);
        return plot;
    }
}
