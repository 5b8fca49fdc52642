using DeepRL.Environments.Rendering;
using SkiaSharp;

namespace DeepRL.Rendering;

/// <summary>
/// <see cref="ICanvas"/> drawn with SkiaSharp into an RGBA bitmap. Rectangles snap to whole pixels and are
/// drawn without anti-aliasing, so grid games scale crisply; lines, circles and text are anti-aliased.
/// </summary>
public sealed class SkiaCanvas : ICanvas, IDisposable
{
    private static readonly Lazy<SKTypeface> Font = new(LoadFont);
    private readonly SKCanvas _canvas;
    private readonly SKPaint _fill = new() { IsAntialias = false, Style = SKPaintStyle.Fill };
    private readonly SKPaint _smooth = new() { IsAntialias = true, Style = SKPaintStyle.Fill };
    private readonly SKPaint _stroke = new() { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Butt };

    public SkiaCanvas(SKBitmap bitmap)
    {
        Bitmap = bitmap;
        _canvas = new SKCanvas(bitmap);
    }

    public SKBitmap Bitmap { get; }

    public int Width => Bitmap.Width;

    public int Height => Bitmap.Height;

    private static SKColor ToSk(Color c) => new(c.R, c.G, c.B, c.A);

    public void Clear(Color color) => _canvas.Clear(ToSk(color));

    public void FillRect(float x, float y, float width, float height, Color color)
    {
        _fill.Color = ToSk(color);
        float left = MathF.Round(x), top = MathF.Round(y);
        _canvas.DrawRect(new SKRect(left, top, MathF.Round(x + width), MathF.Round(y + height)), _fill);
    }

    public void Line(float x1, float y1, float x2, float y2, float thickness, Color color)
    {
        _stroke.Color = ToSk(color);
        _stroke.StrokeWidth = thickness;
        _canvas.DrawLine(x1, y1, x2, y2, _stroke);
    }

    public void FillCircle(float centerX, float centerY, float radius, Color color)
    {
        _smooth.Color = ToSk(color);
        _canvas.DrawCircle(centerX, centerY, radius, _smooth);
    }

    public void Text(float x, float y, string text, float size, Color color)
    {
        using var font = new SKFont(Font.Value, size);
        _smooth.Color = ToSk(color);
        _canvas.DrawText(text, x, y + size, SKTextAlign.Left, font, _smooth);
    }

    /// <summary>DejaVu Sans from Debian's fonts-dejavu-core when present, else Skia's default.</summary>
    private static SKTypeface LoadFont()
    {
        foreach (var path in new[] { "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf" })
        {
            if (File.Exists(path) && SKTypeface.FromFile(path) is { } face) return face;
        }
        return SKTypeface.Default;
    }

    public void Dispose()
    {
        _canvas.Dispose();
        _fill.Dispose();
        _smooth.Dispose();
        _stroke.Dispose();
    }
}
