namespace DeepRL.Environments.Rendering;

/// <summary>Optional capability: an environment that can draw its current state.</summary>
public interface IRenderable
{
    /// <summary>Preferred frame size in pixels (width, height) at scale 1.</summary>
    (int Width, int Height) PreferredFrameSize { get; }

    /// <summary>Draws the current state, filling the whole canvas.</summary>
    void Render(ICanvas canvas);
}
