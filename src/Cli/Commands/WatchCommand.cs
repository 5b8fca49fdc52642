using System.CommandLine;
using DeepRL.Rendering;
using DeepRL.Rendering.Sdl;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl watch</c>: episodes live in an SDL2 window.</summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var source = new AgentSource();
        var episodes = new Option<int?>("--episodes", "-n") { Description = "Stop after this many episodes (default: until you quit)" };
        var seed = CommonOptions.Seed();
        var fps = new Option<double>("--fps") { Description = "Steps per second (change live with + and -)", DefaultValueFactory = _ => 30 };
        var width = new Option<int>("--width") { Description = "Approximate window width in pixels", DefaultValueFactory = _ => 600 };
        var cmd = new Command("watch", "Watch episodes live in a window. Keys: space pause, → step, + faster, - slower, r restart, q quit")
        {
            episodes, seed, fps, width,
        };
        foreach (var o in source.All) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            int s = parse.GetValue(seed) ?? 0;
            if (parse.GetValue(episodes) is int e && e <= 0) throw new CliException($"--episodes must be at least 1, got {e}.");
            if (parse.GetValue(fps) <= 0) throw new CliException("--fps must be positive.");
            using var agent = source.Resolve(ctx, parse, s);
            var player = new EpisodePlayer(agent.Environment, agent.Policy, s, agent.Value);
            var (w, h) = FrameRenderer.SizeFor(player.Drawable, parse.GetValue(width), hud: true);
            using var renderer = new FrameRenderer(w, h);
            SdlViewer viewer;
            try
            {
                viewer = SdlViewer.Open($"DeepRL · {agent.EnvId}", w, h);
            }
            catch (DisplayUnavailableException ex)
            {
                throw new CliException(ex.Message);
            }
            using (viewer)
            {
                int finished = ViewerLoop.Run(player, renderer, viewer, parse.GetValue(fps), parse.GetValue(episodes));
                ctx.Output.WriteLine($"watched {finished} episode(s) of {agent.EnvId}");
            }
            return 0;
        });
        return cmd;
    }
}
