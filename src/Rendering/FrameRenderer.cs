using DeepRL.Environments;
using DeepRL.Environments.Rendering;
using DeepRL.Environments.Wrappers;
using SkiaSharp;

namespace DeepRL.Rendering;

/// <summary>Draws environments into <see cref="Frame"/>s of a requested size, with an optional HUD line.</summary>
public sealed class FrameRenderer : IDisposable
{
    public const int HudHeight = 22;
    private readonly SKBitmap _bitmap;
    private readonly SkiaCanvas _canvas;

    public FrameRenderer(int width, int height)
    {
        if (width <= 0 || height <= 0 || width > 8192 || height > 8192)
            throw new ArgumentOutOfRangeException(nameof(width), $"Frame size {width}×{height} must be between 1 and 8192 pixels per side.");
        Width = width;
        Height = height;
        _bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        _canvas = new SkiaCanvas(_bitmap);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The drawable inside a (possibly wrapped) environment, or a clear error.</summary>
    public static IRenderable Renderable(IEnvironment env)
    {
        var inner = env is Wrapper w ? w.Unwrapped : env;
        return inner as IRenderable
               ?? throw new NotSupportedException($"{inner.GetType().Name} cannot be drawn: implement IRenderable.Render(ICanvas) to render a custom environment.");
    }

    /// <summary>A frame size for <paramref name="env"/>: its preferred size scaled by an integer factor (crisp grids), HUD below.</summary>
    public static (int Width, int Height) SizeFor(IRenderable env, int targetWidth, bool hud)
    {
        var (w, h) = env.PreferredFrameSize;
        // Whole-number upscaling keeps grid cells identical; smaller targets scale down proportionally.
        double scale = targetWidth >= w ? Math.Round(targetWidth / (double)w) : targetWidth / (double)w;
        int width = Math.Max(2, (int)Math.Round(w * scale)), height = Math.Max(2, (int)Math.Round(h * scale)) + (hud ? HudHeight : 0);
        // Video encoders want even sizes.
        return (width + width % 2, height + height % 2);
    }

    public Frame Render(IRenderable env, HudInfo? hud = null)
    {
        var bytes = new byte[Width * Height * 4];
        RenderInto(env, hud, bytes);
        return new Frame(Width, Height, bytes);
    }

    /// <summary>Renders into a caller-owned RGBA buffer (no allocation per frame).</summary>
    public void RenderInto(IRenderable env, HudInfo? hud, Span<byte> rgba)
    {
        _canvas.Clear(Color.Black);
        var area = hud is null ? (SKRectI?)null : new SKRectI(0, 0, Width, Height - HudHeight);
        if (area is { } a)
        {
            using var sub = new SKBitmap();
            _bitmap.ExtractSubset(sub, a);
            using var subCanvas = new SkiaCanvas(sub);
            env.Render(subCanvas);
            _canvas.FillRect(0, Height - HudHeight, Width, HudHeight, new Color(25, 25, 30));
            _canvas.Text(6, Height - HudHeight + 3, hud!.ToString(), 14, new Color(235, 235, 235));
        }
        else
        {
            env.Render(_canvas);
        }
        _bitmap.GetPixelSpan().CopyTo(rgba);
    }

    public void Dispose()
    {
        _canvas.Dispose();
        _bitmap.Dispose();
    }
}
