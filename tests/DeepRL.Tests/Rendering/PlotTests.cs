using System.Globalization;
using DeepRL.Rendering.Plots;

namespace DeepRL.Tests.Rendering;

[Category("Fast")]

public class PlotTests
{
    private static ScottPlot.Plot Curves(double xMax)
    {
        var a = Enumerable.Range(0, 40).Select(i => (X: xMax * i / 39.0, Y: 9.3 + 511.6 * Math.Sqrt(i / 39.0))).ToList();
        var b = Enumerable.Range(0, 40).Select(i => (X: xMax * i / 39.0, Y: 20.1 + 408.86 * (i / 39.0))).ToList();
        var plot = LearningCurvePlot.Build([new PlotSeries("dqn CartPole-v1 s1", a), new PlotSeries("ppo CartPole-v1 s1", b)], "Evaluation return", "env steps", "return");
        plot.GetImage(1000, 520).Dispose(); // renders, which generates the ticks
        return plot;
    }

    /// <summary>Round ticks: equally spaced by 1, 2, 2.5 or 5 × 10^k, each a whole multiple of that spacing.</summary>
    private static void AssertRound(IReadOnlyList<double> positions, string labels)
    {
        Assert.That(positions, Has.Count.GreaterThanOrEqualTo(3), labels);
        double spacing = positions[1] - positions[0];
        double mantissa = spacing / Math.Pow(10, Math.Floor(Math.Log10(spacing)));
        Assert.That(new[] { 1, 2, 2.5, 5 }.Any(m => Math.Abs(mantissa - m) < 1e-9), Is.True, $"tick spacing {spacing}: {labels}");
        foreach (double p in positions)
        {
            Assert.That(Math.Abs(p / spacing - Math.Round(p / spacing)), Is.LessThan(1e-6), $"{p} is not a multiple of {spacing}: {labels}");
        }
    }

    [Test]
    public void Value_ticks_are_round_numbers()
    {
        var ticks = Curves(100_000).Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor).OrderBy(t => t.Position).ToList();
        AssertRound(ticks.Select(t => t.Position).ToList(), string.Join(" ", ticks.Select(t => t.Label)));
        Assert.That(ticks.Select(t => t.Label), Has.None.Contains("."), "returns of 9–521 get whole-number ticks");
    }

    [TestCase(100_000, "k")]
    [TestCase(3_000_000, "M")]
    public void Step_axis_uses_one_unit_for_every_tick(double xMax, string unit)
    {
        var ticks = Curves(xMax).Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor && t.Position > 0).OrderBy(t => t.Position).ToList();
        var labels = ticks.Select(t => t.Label).ToList();
        Assert.That(labels, Has.All.EndsWith(unit), string.Join(" ", labels));
        var shown = labels.Select(l => double.Parse(l.TrimEnd('k', 'M'), CultureInfo.InvariantCulture)).ToList();
        AssertRound(shown, string.Join(" ", labels));
        double scale = unit == "M" ? 1e6 : 1e3;
        Assert.That(shown.Zip(ticks, (v, t) => Math.Abs(v * scale - t.Position)), Has.All.LessThan(1e-6 * scale), "labels say the true position");
    }

    [Test]
    public void Legend_sits_outside_the_data_area()
    {
        var plot = Curves(50_000);
        Assert.That(plot.Legend.IsVisible, Is.False, "no legend drawn over the curves");
        Assert.That(plot.Axes.GetPanels().OfType<ScottPlot.Panels.LegendPanel>().Count(), Is.EqualTo(1), "a legend panel beside the data area");
    }

    [Test]
    public void Saved_plot_is_a_png_of_the_requested_size()
    {
        string path = Path.Combine(Path.GetTempPath(), $"deeprl-plot-{Guid.NewGuid():N}.png");
        try
        {
            LearningCurvePlot.SavePng(Curves(10_000), path, 800, 400);
            using var bmp = SkiaSharp.SKBitmap.Decode(path);
            Assert.That((bmp.Width, bmp.Height), Is.EqualTo((800, 400)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
