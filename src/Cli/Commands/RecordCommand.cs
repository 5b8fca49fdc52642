using System.CommandLine;
using DeepRL.Rendering;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl record</c>: episodes to an MP4 or GIF through ffmpeg, or one frame to a PNG.</summary>
public static class RecordCommand
{
    public static Command Create()
    {
        var source = new AgentSource();
        var episodes = CommonOptions.Episodes(1);
        var seed = CommonOptions.Seed();
        var output = new Option<string>("--out", "-o") { Description = "Output file: .mp4, .gif, or .png with --png", Required = true };
        var png = new Option<bool>("--png") { Description = "Save a single frame as PNG instead of a video (implied by an --out ending in .png)" };
        var atStep = new Option<int>("--at-step") { Description = "With --png: the step of the first episode to snapshot", DefaultValueFactory = _ => 0 };
        var width = new Option<int>("--width") { Description = "Approximate frame width in pixels (grids scale by whole pixels)", DefaultValueFactory = _ => 480 };
        var fps = new Option<int>("--fps") { Description = "Frames per second of the video", DefaultValueFactory = _ => 30 };
        var noHud = new Option<bool>("--no-hud") { Description = "Leave out the status line (episode, step, return, action, value)" };
        var cmd = new Command("record", "Record episodes to a video (MP4/GIF via ffmpeg) or a PNG snapshot")
        {
            episodes, seed, output, png, atStep, width, fps, noHud,
        };
        foreach (var o in source.All) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            string path = parse.GetValue(output)!;
            int n = parse.GetValue(episodes);
            if (n <= 0) throw new CliException($"--episodes must be at least 1, got {n}.");
            string ext = Path.GetExtension(path).ToLowerInvariant();
            bool asPng = parse.GetValue(png) || ext == ".png";
            if (asPng && ext != ".png") throw new CliException($"--png writes a .png file; '{path}' has extension '{ext}'.");
            if (!asPng && ext is not (".mp4" or ".gif")) throw new CliException($"Video output '{path}' must end in .mp4 or .gif (or use --png with a .png file).");
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is null || !Directory.Exists(dir)) throw new CliException($"Cannot write '{path}': folder '{dir}' does not exist.");
            if (!asPng) VideoWriter.FindFfmpeg();

            int s = parse.GetValue(seed) ?? 0;
            using var agent = source.Resolve(ctx, parse, s);
            var player = new EpisodePlayer(agent.Environment, agent.Policy, s, agent.Value);
            bool hud = !parse.GetValue(noHud);
            var (w, h) = FrameRenderer.SizeFor(player.Drawable, parse.GetValue(width), hud);
            using var renderer = new FrameRenderer(w, h);

            if (asPng)
            {
                int target = parse.GetValue(atStep);
                if (target < 0) throw new CliException($"--at-step must be ≥ 0, got {target}.");
                for (int k = 0; k < target && !player.EpisodeOver; k++) player.Step();
                if (player.StepInEpisode < target)
                    throw new CliException($"--at-step {target} is past the end of the episode: it ended after {player.StepInEpisode} steps " +
                                           $"(return {player.Return:0.##}). Use --at-step {player.StepInEpisode} or less for its last frame.");
                renderer.Render(player.Drawable, hud ? player.Hud : null).SavePng(path);
                ctx.Output.WriteLine($"wrote {path} ({w}×{h}, {agent.EnvId}, step {player.StepInEpisode})");
                return 0;
            }

            var frames = new byte[w * h * 4];
            int written = 0;
            var returns = new List<double>();
            using (var video = new VideoWriter(path, w, h, parse.GetValue(fps)))
            {
                for (int e = 0; e < n; e++)
                {
                    if (e > 0) player.Step(); // starts the next episode
                    renderer.RenderInto(player.Drawable, hud ? player.Hud : null, frames);
                    video.Write(frames);
                    while (!player.EpisodeOver)
                    {
                        player.Step();
                        renderer.RenderInto(player.Drawable, hud ? player.Hud : null, frames);
                        video.Write(frames);
                    }
                    returns.Add(player.Return);
                }
                video.Finish();
                written = video.FramesWritten;
            }
            ctx.Logger("record").LogInformation("Recorded {Episodes} episode(s), returns {Returns}", n, string.Join(", ", returns.Select(r => r.ToString("0.##"))));
            ctx.Output.WriteLine($"wrote {path} ({written} frames, {w}×{h}, {n} episode(s) of {agent.EnvId}, mean return {returns.Average():0.##})");
            return 0;
        });
        return cmd;
    }
}
