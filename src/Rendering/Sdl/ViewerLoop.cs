using System.Diagnostics;

namespace DeepRL.Rendering.Sdl;

/// <summary>Runs episodes in a viewer window in real time, honouring pause/step/speed/restart/quit keys.</summary>
public static class ViewerLoop
{
    /// <summary>Plays until the user quits or <paramref name="maxEpisodes"/> episodes have been shown; returns the episodes finished.</summary>
    public static int Run(EpisodePlayer player, FrameRenderer renderer, SdlViewer viewer, double fps, int? maxEpisodes,
        CancellationToken cancel = default, Action<ViewerInput>? onInput = null)
    {
        var frame = new byte[renderer.Width * renderer.Height * 4];
        bool paused = false;
        int finished = 0;
        var clock = Stopwatch.StartNew();
        renderer.RenderInto(player.Drawable, player.Hud, frame);
        viewer.Show(frame);
        while (!cancel.IsCancellationRequested)
        {
            var input = viewer.Poll();
            onInput?.Invoke(input);
            if (input.HasFlag(ViewerInput.Quit)) break;
            if (input.HasFlag(ViewerInput.TogglePause)) paused = !paused;
            if (input.HasFlag(ViewerInput.Faster)) fps = Math.Min(240, fps * 1.5);
            if (input.HasFlag(ViewerInput.Slower)) fps = Math.Max(1, fps / 1.5);
            if (input.HasFlag(ViewerInput.Restart)) player.Restart();
            bool advance = (!paused && clock.Elapsed.TotalSeconds >= 1.0 / fps) || input.HasFlag(ViewerInput.StepOnce);
            if (advance)
            {
                clock.Restart();
                bool wasOver = player.EpisodeOver;
                if (wasOver && maxEpisodes is int max && finished >= max) break;
                player.Step();
                if (!wasOver && player.EpisodeOver) finished++;
            }
            if (advance || input != ViewerInput.None)
            {
                renderer.RenderInto(player.Drawable, player.Hud, frame);
                viewer.Show(frame);
            }
            SdlNative.Delay(1);
        }
        return finished;
    }
}
