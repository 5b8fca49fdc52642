using DeepRL.Environments;
using DeepRL.Environments.Classic;
using DeepRL.Environments.GridWorlds;
using DeepRL.Environments.Rendering;
using DeepRL.Rendering;
using SkiaSharp;

namespace DeepRL.Tests.Rendering;

[Category("Fast")]

public class FrameTests
{
    private static readonly (byte, byte, byte) PoleColour = (202, 152, 101);
    private static readonly (byte, byte, byte) White = (255, 255, 255);

    private static (byte, byte, byte) Rgb(Color c) => (c.R, c.G, c.B);

    [TestCase(0.0)]
    [TestCase(0.15)]
    [TestCase(-0.2)]
    public void Cartpole_pole_is_drawn_at_the_state_angle(double theta)
    {
        var env = new CartPole();
        env.SetState(0.5, 0, theta, 0);
        using var renderer = new FrameRenderer(600, 400);
        var frame = renderer.Render(env);
        // Same geometry as CartPole.Render: 125 px per metre, axle 7.5 px above the track at y = 300.
        float cartX = (float)(0.5 * 125 + 300), axleY = 300 - 7.5f, poleLength = 125f;
        float midX = cartX + 0.6f * poleLength * (float)Math.Sin(theta);
        float midY = axleY - 0.6f * poleLength * (float)Math.Cos(theta);
        Assert.That(frame.Pixel((int)Math.Round(midX), (int)Math.Round(midY)), Is.EqualTo(PoleColour), "pole pixel 60% up the pole");
        float mirrorX = cartX - 0.6f * poleLength * (float)Math.Sin(theta);
        if (Math.Abs(theta) > 0.1) Assert.That(frame.Pixel((int)Math.Round(mirrorX), (int)Math.Round(midY)), Is.EqualTo(White), "nothing on the other side");
        Assert.That(frame.Pixel((int)cartX, 300), Is.EqualTo((0, 0, 0)), "cart body");
    }

    [Test]
    public void Grid_cells_have_their_tile_and_agent_colours()
    {
        var env = new GridWorld(GridMap.BuiltIn("Empty-8x8"));
        env.Reset(0);
        using var renderer = new FrameRenderer(256, 256); // 32 px per cell
        var frame = renderer.Render(env);
        Assert.That(frame.Pixel(1 * 32 + 16, 1 * 32 + 16), Is.EqualTo(Rgb(GridWorld.AgentColor)), "agent at (1, 1)");
        Assert.That(frame.Pixel(6 * 32 + 16, 6 * 32 + 16), Is.EqualTo(Rgb(GridWorld.GoalColor)), "goal at (6, 6)");
        Assert.That(frame.Pixel(16, 16), Is.EqualTo(Rgb(GridWorld.WallColor)), "corner wall");
        Assert.That(frame.Pixel(3 * 32 + 16, 3 * 32 + 16), Is.EqualTo(Rgb(GridWorld.FloorColor)), "empty floor");
        env.Step(1); // right
        frame = renderer.Render(env);
        Assert.That(frame.Pixel(2 * 32 + 16, 1 * 32 + 16), Is.EqualTo(Rgb(GridWorld.AgentColor)), "agent moved to (1, 2)");
        Assert.That(frame.Pixel(1 * 32 + 16, 1 * 32 + 16), Is.EqualTo(Rgb(GridWorld.FloorColor)));
    }

    [Test]
    public void TMaze_cue_colour_shows_only_on_the_first_frame()
    {
        var env = new GridWorld(GridMap.BuiltIn("TMaze"));
        env.Reset(0);
        using var renderer = new FrameRenderer(7 * 20, 5 * 20);
        int cueRow = env.TrueCue == 1 ? 1 : 3;
        Assert.That(renderer.Render(env).Pixel(5 * 20 + 10, cueRow * 20 + 10), Is.EqualTo(Rgb(GridWorld.CueColor)));
        env.Step(1);
        Assert.That(renderer.Render(env).Pixel(5 * 20 + 10, cueRow * 20 + 10), Is.EqualTo(Rgb(GridWorld.GoalColor)));
    }

    [Test]
    public void Hud_line_is_drawn_below_the_scene()
    {
        var env = new CartPole();
        env.SetState(0, 0, 0, 0);
        using var renderer = new FrameRenderer(600, 400 + FrameRenderer.HudHeight);
        var frame = renderer.Render(env, new HudInfo(3, 42, 42, "1", 17.5));
        var hudPixels = Enumerable.Range(0, 300).Select(x => frame.Pixel(x, 400 + 11)).ToList();
        Assert.That(hudPixels, Has.Some.EqualTo(((byte)25, (byte)25, (byte)30)), "HUD background");
        Assert.That(hudPixels.Count(p => p.Item1 > 150), Is.GreaterThan(20), "light text on the HUD bar");
        Assert.That(new HudInfo(3, 42, 42, "1", 17.5).ToString(), Is.EqualTo("ep 3  step 42  return 42  action 1  value 17.5"));
    }

    [Test]
    public void Png_snapshot_round_trips()
    {
        var env = new GridWorld(GridMap.BuiltIn("FourRooms"));
        env.Reset(0);
        using var renderer = new FrameRenderer(208, 208);
        var frame = renderer.Render(env);
        string path = Path.Combine(Path.GetTempPath(), $"deeprl-{Guid.NewGuid():N}.png");
        frame.SavePng(path);
        using var decoded = SKBitmap.Decode(path);
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((208, 208)));
        var c = decoded.GetPixel(1 * 16 + 8, 1 * 16 + 8);
        Assert.That((c.Red, c.Green, c.Blue), Is.EqualTo(Rgb(GridWorld.AgentColor)));
        File.Delete(path);
    }

    [Test]
    public void Every_built_in_env_renders_a_non_blank_frame()
    {
        foreach (var id in EnvRegistry.Default.Ids)
        {
            using var env = EnvRegistry.Default.Make(id);
            env.Reset(0);
            var drawable = FrameRenderer.Renderable(env);
            var (w, h) = FrameRenderer.SizeFor(drawable, 300, hud: false);
            using var renderer = new FrameRenderer(w, h);
            var frame = renderer.Render(drawable);
            int distinct = Enumerable.Range(0, w * h).Select(i => (frame.Rgba[4 * i], frame.Rgba[4 * i + 1], frame.Rgba[4 * i + 2])).Distinct().Count();
            Assert.That(distinct, Is.GreaterThanOrEqualTo(2), $"{id} frame has {distinct} colours");
        }
    }

    [Test]
    public void Unrenderable_custom_env_gets_a_clear_error()
    {
        using var env = new DeepRL.Environments.Wrappers.TimeLimit(new NoDraw(), 5);
        var ex = Assert.Throws<NotSupportedException>(() => FrameRenderer.Renderable(env));
        Assert.That(ex!.Message, Does.Contain("NoDraw").And.Contain("IRenderable"));
    }

    private sealed class NoDraw : IEnvironment
    {
        public DeepRL.Environments.Spaces.Box ObservationSpace { get; } = new([1], 0f, 1f);
        public DeepRL.Environments.Spaces.Space ActionSpace { get; } = new DeepRL.Environments.Spaces.Discrete(1);
        public EnvSpec? Spec { get; set; }
        public ResetResult Reset(int? seed = null) => new(new float[1], Info.Empty);
        public StepResult Step(EnvAction action) => new(new float[1], 0, true, false, Info.Empty);
        public void Dispose()
        {
        }
    }
}
