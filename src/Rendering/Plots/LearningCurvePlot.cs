using System.Globalization;
using DeepRL.Environments.Rendering;
using SkiaSharp;

namespace DeepRL.Rendering.Plots;

/// <summary>One named line of (x, y) points.</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// A plain line chart (axes with tick labels, one colour per series, a legend) drawn with SkiaSharp into a
/// PNG — enough to look at learning curves without leaving the terminal.
/// </summary>
public static class LearningCurvePlot
{
    private static readonly Color[] Colors =
    [
        Color.FromHex(0x1F77B4), Color.FromHex(0xFF7F0E), Color.FromHex(0x2CA02C), Color.FromHex(0xD62728),
        Color.FromHex(0x9467BD), Color.FromHex(0x8C564B), Color.FromHex(0xE377C2), Color.FromHex(0x7F7F7F),
    ];

    public static Frame Draw(IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel, int width = 900, int height = 520)
    {
        var points = series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0) throw new ArgumentException("Nothing to plot: the series have no points.");
        double xMin = points.Min(p => p.X), xMax = points.Max(p => p.X), yMin = points.Min(p => p.Y), yMax = points.Max(p => p.Y);
        if (xMax <= xMin) xMax = xMin + 1;
        if (yMax <= yMin) (yMin, yMax) = (yMin - 1, yMax + 1);
        double pad = (yMax - yMin) * 0.05;
        (yMin, yMax) = (yMin - pad, yMax + pad);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SkiaCanvas(bitmap);
        const float left = 70, right = 20, top = 40, bottom = 50;
        float plotW = width - left - right, plotH = height - top - bottom;
        float Px(double x) => left + (float)((x - xMin) / (xMax - xMin)) * plotW;
        float Py(double y) => top + plotH - (float)((y - yMin) / (yMax - yMin)) * plotH;

        canvas.Clear(Color.White);
        canvas.Text(left, 10, title, 16, Color.Black);
        var grid = new Color(225, 225, 225);
        for (int i = 0; i <= 5; i++)
        {
            double yv = yMin + (yMax - yMin) * i / 5, xv = xMin + (xMax - xMin) * i / 5;
            canvas.Line(left, Py(yv), left + plotW, Py(yv), 1, grid);
            canvas.Line(Px(xv), top, Px(xv), top + plotH, 1, grid);
            canvas.Text(4, Py(yv) - 8, Format(yv), 12, Color.Black);
            canvas.Text(Px(xv) - 20, top + plotH + 6, Format(xv), 12, Color.Black);
        }
        canvas.Line(left, top + plotH, left + plotW, top + plotH, 1.5f, Color.Black);
        canvas.Line(left, top, left, top + plotH, 1.5f, Color.Black);
        canvas.Text(left + plotW / 2 - 30, height - 22, xLabel, 13, Color.Black);
        canvas.Text(4, top - 22, yLabel, 13, Color.Black);

        for (int s = 0; s < series.Count; s++)
        {
            var color = Colors[s % Colors.Length];
            var pts = series[s].Points.OrderBy(p => p.X).ToList();
            for (int i = 1; i < pts.Count; i++) canvas.Line(Px(pts[i - 1].X), Py(pts[i - 1].Y), Px(pts[i].X), Py(pts[i].Y), 2, color);
            if (pts.Count == 1) canvas.FillCircle(Px(pts[0].X), Py(pts[0].Y), 3, color);
            canvas.FillRect(left + plotW - 230, top + 8 + s * 18, 14, 4, color);
            canvas.Text(left + plotW - 210, top + s * 18, series[s].Name, 12, Color.Black);
        }
        var rgba = bitmap.GetPixelSpan().ToArray();
        return new Frame(width, height, rgba);
    }

    private static string Format(double v) =>
        Math.Abs(v) >= 1e6 ? (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M"
        : Math.Abs(v) >= 1e4 ? (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : v.ToString("0.##", CultureInfo.InvariantCulture);
}
