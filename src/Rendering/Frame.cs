using SkiaSharp;

namespace DeepRL.Rendering;

/// <summary>One rendered picture: tightly packed RGBA bytes, row-major from the top-left.</summary>
public sealed class Frame(int width, int height, byte[] rgba)
{
    public int Width { get; } = width;

    public int Height { get; } = height;

    public byte[] Rgba { get; } = rgba;

    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        int i = (y * Width + x) * 4;
        return (Rgba[i], Rgba[i + 1], Rgba[i + 2]);
    }

    /// <summary>Writes the frame as a PNG file (atomically: temp file, then rename).</summary>
    public void SavePng(string path)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Cannot write '{path}': folder '{dir}' does not exist.");
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var image = SKImage.FromPixelCopy(info, Rgba);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        string tmp = full + ".tmp";
        using (var stream = File.Create(tmp)) data.SaveTo(stream);
        File.Move(tmp, full, overwrite: true);
    }
}
