namespace DeepRL.Environments.Rendering;

/// <summary>
/// The few drawing primitives an environment needs to draw itself, in pixels with the origin at the
/// top-left. Environments stay free of any drawing library; <c>DeepRL.Rendering</c> implements this
/// with SkiaSharp for frames, the viewer window and videos.
/// </summary>
public interface ICanvas
{
    int Width { get; }

    int Height { get; }

    void Clear(Color color);

    void FillRect(float x, float y, float width, float height, Color color);

    void Line(float x1, float y1, float x2, float y2, float thickness, Color color);

    void FillCircle(float centerX, float centerY, float radius, Color color);

    void Text(float x, float y, string text, float size, Color color);
}
