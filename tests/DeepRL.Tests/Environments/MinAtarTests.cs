using DeepRL.Environments;
using DeepRL.Environments.MinAtar;
using DeepRL.Environments.Rendering;
using DeepRL.Rendering;

namespace DeepRL.Tests.Environments;

[Category("Fast")]

public class MinAtarTests
{
    private const int N = MinAtarGame.Noop, L = MinAtarGame.Left, U = MinAtarGame.Up, R = MinAtarGame.Right, D = MinAtarGame.Down, F = MinAtarGame.Fire;

    private static T Game<T>(int seed = 0, bool ramping = true) where T : MinAtarGame
    {
        var rng = new Rng((ulong)seed);
        var game = (T)Activator.CreateInstance(typeof(T), rng, ramping)!;
        game.Reset();
        return game;
    }

    private static float Plane(MinAtarGame g, int channel, int y, int x)
    {
        var planes = new float[g.Channels.Length * 100];
        g.WriteState(planes);
        return planes[channel * 100 + y * 10 + x];
    }

    // ---------- Breakout ----------

    [Test]
    public void Breakout_reset_has_30_bricks_and_the_ball_in_row_3()
    {
        var g = Game<Breakout>();
        Assert.That(g.BrickCount, Is.EqualTo(30));
        Assert.That(g.BallY, Is.EqualTo(3));
        Assert.That((g.BallX, g.BallDir), Is.EqualTo((0, 2)).Or.EqualTo((9, 3)));
        Assert.That(Plane(g, 0, 9, 4), Is.EqualTo(1f), "paddle channel at row 9, column 4");
    }

    [Test]
    public void Breakout_ball_hitting_a_brick_scores_removes_it_and_bounces_back()
    {
        var g = Game<Breakout>();
        g.SetBall(x: 5, y: 4, dir: 1, paddle: 4); // up-right into the brick at (row 3, column 6)
        float r = g.Act(N);
        Assert.That(r, Is.EqualTo(1f));
        Assert.That(g.Brick(3, 6), Is.False);
        Assert.That((g.BallX, g.BallY, g.BallDir), Is.EqualTo((6, 4, 2)), "stays in its row, now moving down-right");
        Assert.That(g.BrickCount, Is.EqualTo(29));
        Assert.That(Plane(g, 2, 4, 5), Is.EqualTo(1f), "trail marks the previous ball cell");
    }

    [Test]
    public void Breakout_walls_and_ceiling_reflect_the_ball()
    {
        var g = Game<Breakout>();
        for (int y = 1; y <= 3; y++) for (int x = 0; x < 10; x++) g.SetBrick(y, x, false);
        g.SetBall(x: 9, y: 5, dir: 1, paddle: 4); // up-right into the right wall
        g.Act(N);
        Assert.That((g.BallX, g.BallY, g.BallDir), Is.EqualTo((9, 4, 0)), "clamped to column 9, now up-left");
        g.SetBall(x: 4, y: 0, dir: 0, paddle: 4);
        g.Act(N);
        Assert.That((g.BallX, g.BallY, g.BallDir), Is.EqualTo((3, 0, 3)), "ceiling: clamped to row 0, now down-left");
    }

    [Test]
    public void Breakout_paddle_returns_the_ball_and_a_miss_ends_the_episode()
    {
        var g = Game<Breakout>();
        g.SetBall(x: 4, y: 8, dir: 2, paddle: 4); // directly above the paddle, moving down-right
        Assert.That(g.Act(N), Is.Zero);
        Assert.That((g.Terminal, g.BallY, g.BallDir), Is.EqualTo((false, 8, 1)), "bounced up-right");
        g.SetBall(x: 3, y: 8, dir: 2, paddle: 4); // lands on the paddle's cell diagonally
        g.Act(N);
        Assert.That((g.Terminal, g.BallDir), Is.EqualTo((false, 0)), "corner hit reverses both directions");
        g.SetBall(x: 6, y: 8, dir: 2, paddle: 1);
        g.Act(N);
        Assert.That(g.Terminal, Is.True);
    }

    // ---------- Freeway ----------

    [Test]
    public void Freeway_car_hit_pushes_the_chicken_back_without_ending_the_episode()
    {
        var g = Game<Freeway>();
        g.SetChicken(5);
        g.SetCar(4, x: 4, speed: 1, timer: 3); // car 4 drives lane 5, sitting on the chicken's column
        float r = g.Act(N);
        Assert.That((r, g.ChickenY, g.Terminal), Is.EqualTo((0f, 9, false)));
    }

    [Test]
    public void Freeway_chicken_moves_at_most_once_every_three_steps_and_scores_at_the_top()
    {
        var g = Game<Freeway>();
        for (int i = 0; i < 8; i++) g.SetCar(i, x: 0, speed: 5, timer: 1000); // park the traffic
        var ys = new List<int>();
        for (int t = 0; t < 8; t++)
        {
            g.Act(U);
            ys.Add(g.ChickenY);
        }
        Assert.That(ys, Is.EqualTo(new[] { 9, 9, 9, 8, 8, 8, 7, 7 }), "first move at step 4, then at most every 3rd step");
        g.SetChicken(1);
        while (g.ChickenY == 1) if (g.Act(U) == 1f) break;
        Assert.That(g.ChickenY, Is.EqualTo(9), "back to the start after crossing");
    }

    [Test]
    public void Freeway_episodes_last_exactly_2501_steps()
    {
        using var env = new MinAtarEnv("Freeway", minimalActions: true);
        env.Reset(0);
        int steps = 0;
        while (!env.Step(0).Terminated) steps++;
        Assert.That(steps + 1, Is.EqualTo(2501));
    }

    [Test]
    public void Freeway_speed_channels_mark_the_cell_behind_each_car()
    {
        var g = Game<Freeway>();
        g.SetCar(0, x: 0, speed: -3, timer: 3);
        Assert.That(Plane(g, 1, 1, 0), Is.EqualTo(1f), "car channel");
        Assert.That(Plane(g, 2 + 2, 1, 1), Is.EqualTo(1f), "speed3 channel one cell behind a left-moving car");
        g.SetCar(0, x: 0, speed: 2, timer: 3);
        Assert.That(Plane(g, 2 + 1, 1, 9), Is.EqualTo(1f), "trail wraps around for a right-moving car at the edge");
    }

    // ---------- Space Invaders ----------

    [Test]
    public void SpaceInvaders_aliens_first_move_at_step_13_and_shots_kill_for_a_point()
    {
        var g = Game<SpaceInvaders>();
        Assert.That(g.AlienCount, Is.EqualTo(24));
        for (int t = 1; t <= 12; t++) g.Act(N);
        Assert.That(g.Alien(0, 2), Is.True, "no move during the first 12 steps");
        g.Act(N);
        Assert.That(g.Alien(0, 1) && !g.Alien(0, 7), Is.True, "step 13: the block moved one column left");

        var h = Game<SpaceInvaders>();
        h.Act(F); // bullet appears at (9, 5) and immediately rolls up to row 8
        Assert.That(h.FriendlyBullet(8, 5), Is.True);
        float total = 0;
        for (int t = 0; t < 6; t++) total += h.Act(N);
        Assert.That(total, Is.EqualTo(1f), "the bullet reaches the lowest alien of column 5 (row 3)");
        Assert.That(h.Alien(3, 5), Is.False);
    }

    [Test]
    public void SpaceInvaders_enemy_bullet_on_the_cannon_ends_the_episode()
    {
        var g = Game<SpaceInvaders>();
        int t = 0;
        while (!g.Terminal && t++ < 500) g.Act(N); // the cannon never moves: the aliens' bullets find it
        Assert.That(g.Terminal, Is.True);
        Assert.That(g.EnemyBullet(9, 5) || g.Alien(9, 5), Is.True);
    }

    [Test]
    public void SpaceInvaders_direction_channels_copy_the_alien_map()
    {
        var g = Game<SpaceInvaders>();
        Assert.That(Plane(g, 2, 0, 2), Is.EqualTo(1f), "moving left: alien_left holds the aliens");
        Assert.That(Plane(g, 3, 0, 2), Is.Zero);
    }

    // ---------- Asterix ----------

    [Test]
    public void Asterix_first_spawn_at_step_11_gold_scores_and_enemies_kill()
    {
        var g = Game<Asterix>(seed: 3);
        for (int t = 1; t <= 10; t++) g.Act(N);
        Assert.That(g.EntityCount, Is.Zero);
        g.Act(N);
        Assert.That(g.EntityCount, Is.EqualTo(1));

        var h = Game<Asterix>();
        h.SetEntity(slot: 4, x: 6, right: false, gold: true); // row 5, next to the player at (5, 5)
        Assert.That(h.Act(R), Is.EqualTo(1f));
        Assert.That(h.EntityCount, Is.Zero);
        h.SetEntity(slot: 4, x: 5, right: false, gold: false);
        h.Act(L);
        h.SetPlayer(5, 5);
        h.Act(N);
        Assert.That(h.Terminal, Is.True);
    }

    [Test]
    public void Asterix_ramps_after_102_steps()
    {
        var g = Game<Asterix>(seed: 1);
        g.SetPlayer(0, 1);
        for (int t = 1; t <= 101; t++)
        {
            Assert.That(g.Terminal, Is.False, "with this seed no enemy reaches the corner before the ramp");
            g.Act(N);
        }
        Assert.That(g.SpawnSpeed, Is.EqualTo(10));
        g.Act(N);
        Assert.That((g.SpawnSpeed, g.RampIndex), Is.EqualTo((9, 1)));
        var noRamp = Game<Asterix>(seed: 1, ramping: false);
        for (int t = 0; t < 102 && !noRamp.Terminal; t++) noRamp.Act(N);
        Assert.That(noRamp.SpawnSpeed, Is.EqualTo(10));
    }

    // ---------- Seaquest ----------

    [Test]
    public void Seaquest_oxygen_runs_out_underwater()
    {
        var g = Game<Seaquest>();
        g.SpawningEnabled = false;
        g.Act(D);
        int steps = 1;
        while (!g.Terminal) { g.Act(N); steps++; }
        Assert.That(steps, Is.EqualTo(201), "200 units of oxygen, one per step below the surface; the step that finds the tank empty ends it");
    }

    [Test]
    public void Seaquest_surfacing_without_divers_ends_the_episode_and_with_divers_refills_oxygen()
    {
        var g = Game<Seaquest>();
        g.SpawningEnabled = false;
        g.Act(D);
        g.Act(U);
        Assert.That(g.Terminal, Is.True, "no divers on board");

        var h = Game<Seaquest>();
        h.SpawningEnabled = false;
        h.Act(D);
        for (int t = 0; t < 10; t++) h.Act(N);
        h.SetDiverCount(2);
        float r = h.Act(U);
        Assert.That((h.Terminal, r, h.Oxygen, h.DiverOnBoardCount), Is.EqualTo((false, 0f, 200, 1)));
    }

    [Test]
    public void Seaquest_six_divers_pay_the_oxygen_bonus()
    {
        var g = Game<Seaquest>();
        g.SpawningEnabled = false;
        g.Act(D);
        for (int t = 0; t < 9; t++) g.Act(N); // oxygen 190
        g.SetDiverCount(6);
        float r = g.Act(U);
        Assert.That(r, Is.EqualTo(190 * 10 / 200));
        Assert.That(g.DiverOnBoardCount, Is.EqualTo(-1), "the original's quirk");
    }

    [Test]
    public void Seaquest_torpedo_kills_a_fish_for_a_point_and_contact_kills_the_sub()
    {
        var g = Game<Seaquest>();
        g.SpawningEnabled = false;
        g.Act(D); // sub at (x 5, y 1), facing left
        g.AddEnemy(x: 3, y: 1, right: true, sub: false);
        Assert.That(g.Act(F), Is.Zero, "the torpedo moves to x 4");
        Assert.That(g.Act(N), Is.EqualTo(1f), "and meets the fish at x 3");
        Assert.That(g.EnemyCount, Is.Zero);
        g.AddEnemy(x: 4, y: 1, right: true, sub: true);
        for (int t = 0; t < 10 && !g.Terminal; t++) g.Act(N);
        Assert.That(g.Terminal, Is.True);
    }

    // ---------- Wrapper ----------

    [TestCase("Breakout", 4, 3)]
    [TestCase("SpaceInvaders", 6, 4)]
    [TestCase("Freeway", 7, 3)]
    [TestCase("Asterix", 4, 5)]
    [TestCase("Seaquest", 10, 6)]
    public void Registry_ids_have_the_channel_count_and_action_sets(string game, int channels, int minimal)
    {
        using var v0 = EnvRegistry.Default.Make($"MinAtar/{game}-v0");
        using var v1 = EnvRegistry.Default.Make($"MinAtar/{game}-v1");
        Assert.That(v0.ObservationSpace.Shape, Is.EqualTo(new[] { channels, 10, 10 }));
        Assert.That(v0.ObservationSpace.DType, Is.EqualTo(DeepRL.Environments.Spaces.BoxDType.UInt8));
        Assert.That(((DeepRL.Environments.Spaces.Discrete)v0.ActionSpace).N, Is.EqualTo(6));
        Assert.That(((DeepRL.Environments.Spaces.Discrete)v1.ActionSpace).N, Is.EqualTo(minimal));
    }

    [Test]
    public void Sticky_actions_repeat_the_previous_action_about_ten_percent_of_the_time()
    {
        using var env = new MinAtarEnv("Asterix", minimalActions: false);
        env.Reset(4);
        int repeats = 0, steps = 0;
        var rng = new Rng(9);
        int previous = env.LastAppliedAction;
        while (steps < 5000)
        {
            int wanted = (previous + 1 + rng.NextInt(5)) % 6; // never the previous action
            var r = env.Step(wanted);
            if (env.LastAppliedAction == previous) repeats++;
            previous = env.LastAppliedAction;
            steps++;
            if (r.Terminated) env.Reset();
        }
        Assert.That(repeats / (double)steps, Is.EqualTo(0.1).Within(0.015));
        using var noSticky = EnvRegistry.Default.Make("MinAtar/Asterix-v0", EnvOptions.Parse(["sticky=0"]));
        Assert.That(((MinAtarEnv)DeepRL.Environments.Wrappers.Wrapper.Find<MinAtarEnv>(noSticky)!).StickyProbability, Is.Zero);
    }

    [Test]
    public void Same_seed_gives_the_same_game()
    {
        using var a = new MinAtarEnv("Seaquest", false);
        using var b = new MinAtarEnv("Seaquest", false);
        a.Reset(11);
        b.Reset(11);
        var rng = new Rng(1);
        for (int t = 0; t < 500; t++)
        {
            int act = rng.NextInt(6);
            var ra = a.Step(act);
            var rb = b.Step(act);
            Assert.That(ra.Observation, Is.EqualTo(rb.Observation));
            if (ra.Terminated)
            {
                a.Reset();
                b.Reset();
            }
        }
    }

    [Test]
    public void Each_channel_is_drawn_in_its_own_colour()
    {
        using var env = new MinAtarEnv("Breakout", true);
        env.Reset(0);
        var g = (Breakout)env.Game;
        using var renderer = new FrameRenderer(100, 100); // 10 px per cell
        env.Step(0); // the ball leaves the brick rows: row 4
        var frame = renderer.Render(env);
        (byte, byte, byte) Rgb(Color c) => (c.R, c.G, c.B);
        Assert.That(frame.Pixel(4 * 10 + 5, 9 * 10 + 5), Is.EqualTo(Rgb(MinAtarEnv.Palette[0])), "paddle");
        Assert.That(frame.Pixel(g.BallX * 10 + 5, 4 * 10 + 5), Is.EqualTo(Rgb(MinAtarEnv.Palette[1])), "ball");
        Assert.That(frame.Pixel(g.LastX * 10 + 5, 3 * 10 + 5), Is.EqualTo(Rgb(MinAtarEnv.Palette[3])), "trail under a brick shows the brick");
        Assert.That(frame.Pixel(5 * 10 + 5, 1 * 10 + 5), Is.EqualTo(Rgb(MinAtarEnv.Palette[3])), "brick");
        Assert.That(frame.Pixel(5 * 10 + 5, 6 * 10 + 5), Is.EqualTo(Rgb(MinAtarEnv.Background)), "empty cell");
    }
}
