namespace DeepRL.Rendering.Sdl;

/// <summary>What the user asked for through the window since the last poll.</summary>
[Flags]
public enum ViewerInput
{
    None = 0,
    Quit = 1,
    TogglePause = 2,
    StepOnce = 4,
    Faster = 8,
    Slower = 16,
    Restart = 32,
}

/// <summary>
/// A window that shows RGBA frames, through SDL2's software renderer (works under Xvfb and over SSH X
/// forwarding). Keys: space pause, → or . single step, + faster, − slower, r restart, q or Esc quit;
/// closing the window quits.
/// </summary>
public sealed class SdlViewer : IDisposable
{
    private IntPtr _window, _renderer, _texture;

    private SdlViewer(int width, int height) => (Width, Height) = (width, height);

    public int Width { get; }

    public int Height { get; }

    public static SdlViewer Open(string title, int width, int height, int x = SdlNative.WindowPosCentered, int y = SdlNative.WindowPosCentered)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
            throw new DisplayUnavailableException(
                "No display available (DISPLAY is not set), so the viewer window cannot open. Record a video instead: " +
                "'deeprl record … --out episode.mp4', or run under a virtual display: 'xvfb-run -a deeprl watch …'.");
        var viewer = new SdlViewer(width, height);
        try
        {
            if (SdlNative.Init(SdlNative.InitVideo) != 0)
                throw new DisplayUnavailableException($"SDL could not open the display ({SdlNative.GetError()}). Use 'deeprl record' instead, or xvfb-run.");
            viewer._window = SdlNative.CreateWindow(title, x, y, width, height, SdlNative.WindowShown);
            if (viewer._window == IntPtr.Zero) throw new DisplayUnavailableException($"SDL could not create a window: {SdlNative.GetError()}");
            viewer._renderer = SdlNative.CreateRenderer(viewer._window, -1, SdlNative.RendererSoftware);
            if (viewer._renderer == IntPtr.Zero) throw new DisplayUnavailableException($"SDL could not create a renderer: {SdlNative.GetError()}");
            viewer._texture = SdlNative.CreateTexture(viewer._renderer, SdlNative.PixelFormatAbgr8888, SdlNative.TextureAccessStreaming, width, height);
            if (viewer._texture == IntPtr.Zero) throw new DisplayUnavailableException($"SDL could not create a texture: {SdlNative.GetError()}");
            return viewer;
        }
        catch (DllNotFoundException)
        {
            viewer.Dispose();
            throw new DisplayUnavailableException("SDL2 (libSDL2-2.0.so.0) is not installed: run scripts/install-system-deps.sh (Debian package libsdl2-2.0-0).");
        }
        catch
        {
            viewer.Dispose();
            throw;
        }
    }

    public unsafe void Show(ReadOnlySpan<byte> rgba)
    {
        if (rgba.Length != Width * Height * 4) throw new ArgumentException($"Frame has {rgba.Length} bytes; the window needs {Width * Height * 4}.");
        fixed (byte* p = rgba) SdlNative.UpdateTexture(_texture, IntPtr.Zero, p, Width * 4);
        SdlNative.RenderClear(_renderer);
        SdlNative.RenderCopy(_renderer, _texture, IntPtr.Zero, IntPtr.Zero);
        SdlNative.RenderPresent(_renderer);
    }

    public unsafe ViewerInput Poll()
    {
        var input = ViewerInput.None;
        byte* e = stackalloc byte[64];
        while (SdlNative.PollEvent(e) != 0)
        {
            uint type = *(uint*)e;
            if (type == SdlNative.EventQuit) input |= ViewerInput.Quit;
            else if (type == SdlNative.EventWindow && e[12] == SdlNative.WindowEventClose) input |= ViewerInput.Quit;
            else if (type == SdlNative.EventKeyDown)
            {
                int sym = *(int*)(e + 20);
                input |= sym switch
                {
                    ' ' => ViewerInput.TogglePause,
                    0x4000004F or '.' => ViewerInput.StepOnce,
                    '+' or '=' or 0x40000057 => ViewerInput.Faster,
                    '-' or 0x40000056 => ViewerInput.Slower,
                    'r' => ViewerInput.Restart,
                    'q' or 27 => ViewerInput.Quit,
                    _ => ViewerInput.None,
                };
            }
        }
        return input;
    }

    public void Dispose()
    {
        if (_texture != IntPtr.Zero) SdlNative.DestroyTexture(_texture);
        if (_renderer != IntPtr.Zero) SdlNative.DestroyRenderer(_renderer);
        if (_window != IntPtr.Zero) SdlNative.DestroyWindow(_window);
        _texture = _renderer = _window = IntPtr.Zero;
        try
        {
            SdlNative.Quit();
        }
        catch (DllNotFoundException)
        {
        }
    }
}
