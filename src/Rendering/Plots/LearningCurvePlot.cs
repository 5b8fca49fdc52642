using System.Globalization;
using ScottPlot;

namespace DeepRL.Rendering.Plots;

/// <summary>One named line of (x, y) points.</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// Learning curves drawn with ScottPlot: round tick values from its automatic tick generator, the step axis
/// labelled in k/M throughout, and the legend outside the data area so it never hides a curve.
/// </summary>
public static class LearningCurvePlot
{
    /// <summary>Builds the plot (tests inspect its axes; <see cref="SavePng"/> renders it).</summary>
    public static Plot Build(IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel)
    {
        if (series.All(s => s.Points.Count == 0)) throw new ArgumentException("Nothing to plot: the series have no points.");
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        foreach (var s in series)
        {
            var pts = s.Points.OrderBy(p => p.X).ToArray();
            var line = plot.Add.Scatter(pts.Select(p => p.X).ToArray(), pts.Select(p => p.Y).ToArray());
            line.LegendText = s.Name;
            line.LineWidth = 2;
            line.MarkerSize = pts.Length == 1 ? 6 : 0;
        }
        double xMax = series.SelectMany(s => s.Points).Max(p => Math.Abs(p.X));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => StepLabel(v, xMax) };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = ValueLabel };
        plot.Axes.Margins(0.02, 0.08);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    public static void SavePng(Plot plot, string path, int width = 1000, int height = 520) => plot.SavePng(path, width, height);

    /// <summary>
    /// A step count in the one unit the whole axis uses, chosen from its largest value <paramref name="axisMax"/>:
    /// M from a million, k from ten thousand (0, 250k, 500k … or 0, 0.5M, 1M), plain below.
    /// </summary>
    public static string StepLabel(double v, double axisMax)
    {
        if (axisMax >= 1e6) return (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + (v == 0 ? "" : "M");
        if (axisMax >= 1e4) return (v / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + (v == 0 ? "" : "k");
        return v.ToString("0.##", CultureInfo.InvariantCulture);
    }

    private static string ValueLabel(double v) => v.ToString(Math.Abs(v) >= 1e5 ? "0.###e0" : "0.###", CultureInfo.InvariantCulture);
}
