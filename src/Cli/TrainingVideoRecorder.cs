using DeepRL.Agents.Training;
using DeepRL.Rendering;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cli;

/// <summary>
/// Gymnasium's RecordVideo for training runs: every K finished training episodes, plays one episode of the
/// current greedy policy in a fresh env and writes <c>runs/X/videos/step-N.mp4</c>. A failure (no ffmpeg,
/// full disk, …) is logged and training goes on.
/// </summary>
public sealed class TrainingVideoRecorder(CliContext ctx, ILogger log, int everyEpisodes, int width = 400)
{
    private bool _warned;

    public int Recorded { get; private set; }

    public void OnEpisode(TrainingRun run)
    {
        if (everyEpisodes <= 0 || run.Episodes % everyEpisodes != 0) return;
        try
        {
            Directory.CreateDirectory(run.Directory.VideosDir);
            string path = Path.Combine(run.Directory.VideosDir, $"step-{run.Step:D8}.mp4");
            using var env = ctx.Registry.Make(run.Options.EnvId, run.EnvOptions);
            var adapter = new BatchPolicyAdapter(run.Agent.GreedyPolicy(), env.ActionSpace);
            var player = new EpisodePlayer(env, adapter, run.Options.Seed + (int)run.Episodes, adapter.Value);
            var (w, h) = FrameRenderer.SizeFor(player.Drawable, width, hud: true);
            using var renderer = new FrameRenderer(w, h);
            var frame = new byte[w * h * 4];
            using var video = new VideoWriter(path, w, h, 30);
            renderer.RenderInto(player.Drawable, player.Hud, frame);
            video.Write(frame);
            for (int t = 0; t < 10_000 && !player.EpisodeOver; t++)
            {
                player.Step();
                renderer.RenderInto(player.Drawable, player.Hud, frame);
                video.Write(frame);
            }
            video.Finish();
            Recorded++;
            log.LogDebug("Recorded {Path}", path);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!_warned) log.LogWarning("Video capture failed at step {Step}: {Message} Training continues without videos.", run.Step, ex.Message);
            _warned = true;
        }
    }
}
