using DeepRL.Environments;
using DeepRL.Environments.GridWorlds;

namespace DeepRL.Tests.Environments;

[Category("Fast")]

public class GridWorldTests
{
    private const int Up = 0, Right = 1, Down = 2, Left = 3;

    public static IEnumerable<string> BuiltInMaps => GridMap.BuiltInNames;

    [TestCaseSource(nameof(BuiltInMaps))]
    public void Every_built_in_map_parses_and_its_goal_is_reachable(string name)
    {
        var map = GridMap.BuiltIn(name);
        var path = ShortestPath(map);
        Assert.That(path, Is.Not.Null, $"{name}: no path from start to a goal");
        Assert.That(path!.Count, Is.LessThanOrEqualTo(map.MaxSteps));
    }

    public static IEnumerable<string> DeterministicMaps => GridMap.BuiltInNames.Where(n => GridMap.BuiltIn(n).Slip == 0);

    [TestCaseSource(nameof(DeterministicMaps))]
    public void Following_the_shortest_path_reaches_the_goal_with_its_reward(string name)
    {
        var map = GridMap.BuiltIn(name);
        var env = new GridWorld(map);
        env.Reset(0);
        var path = ShortestPath(map, env.TrueCue)!;
        StepResult r = default;
        foreach (int a in path) r = env.Step(a);
        Assert.That(r.Terminated, Is.True);
        Assert.That(r.Reward, Is.EqualTo((float)map.GoalReward));
    }

    [Test]
    public void FrozenLake_without_slip_follows_the_path_to_the_goal()
    {
        var text = "goal_reward: 1\n---\nS..H\n...G\n";
        var env = new GridWorld(GridMap.Parse(text, "tiny"));
        env.Reset(0);
        env.Step(Down);
        env.Step(Right);
        env.Step(Right);
        var r = env.Step(Right);
        Assert.That((r.Terminated, r.Reward), Is.EqualTo((true, 1f)));
    }

    [Test]
    public void Walls_and_edges_block_moves()
    {
        var env = new GridWorld(GridMap.BuiltIn("Empty-8x8"));
        env.Reset(0);
        Assert.That((env.AgentRow, env.AgentCol), Is.EqualTo((1, 1)));
        env.Step(Up);
        env.Step(Left);
        Assert.That((env.AgentRow, env.AgentCol), Is.EqualTo((1, 1)));
        env.Step(Right);
        Assert.That((env.AgentRow, env.AgentCol), Is.EqualTo((1, 2)));
    }

    [Test]
    public void Cliff_costs_100_and_returns_to_start_without_ending()
    {
        var env = new GridWorld(GridMap.BuiltIn("CliffWalking"));
        env.Reset(0);
        var r = env.Step(Right);
        Assert.That(r.Reward, Is.EqualTo(-100f));
        Assert.That(r.Terminated, Is.False);
        Assert.That((env.AgentRow, env.AgentCol), Is.EqualTo((3, 0)));
        r = env.Step(Up);
        Assert.That(r.Reward, Is.EqualTo(-1f));
    }

    [Test]
    public void Hole_ends_the_episode_with_no_reward()
    {
        var env = new GridWorld(GridMap.Parse("---\nSH\n.G\n", "holes"));
        env.Reset(0);
        var r = env.Step(Right);
        Assert.That((r.Terminated, r.Reward), Is.EqualTo((true, 0f)));
    }

    [Test]
    public void Lava_ends_the_episode_with_its_penalty()
    {
        var env = new GridWorld(GridMap.Parse("lava_reward: -2\n---\nSL\n.G\n", "lava"));
        env.Reset(0);
        var r = env.Step(Right);
        Assert.That((r.Terminated, r.Reward), Is.EqualTo((true, -2f)));
    }

    [Test]
    public void Slippery_moves_go_sideways_a_third_of_the_time_each()
    {
        // Open 3x3 floor, start in the centre, goal far away; count where "up" lands.
        var map = GridMap.Parse("slip: 0.6666666666666666\n---\n...\n.S.\n..G\n", "slip");
        var env = new GridWorld(map);
        var counts = new Dictionary<(int, int), int>();
        env.Reset(1);
        for (int i = 0; i < 3000; i++)
        {
            env.Reset();
            env.Step(Up);
            var cell = (env.AgentRow, env.AgentCol);
            counts[cell] = counts.GetValueOrDefault(cell) + 1;
        }
        Assert.That(counts.Keys, Is.EquivalentTo(new[] { (0, 1), (1, 0), (1, 2) }));
        Assert.That(counts.Values, Has.All.InRange(880, 1120));
    }

    [Test]
    public void TMaze_cue_is_visible_only_in_the_first_observation_and_names_the_goal()
    {
        var env = new GridWorld(GridMap.BuiltIn("TMaze"));
        var map = env.Map;
        int cueOffset = map.Height * map.Width;
        var seenCues = new HashSet<int>();
        for (int seed = 0; seed < 20; seed++)
        {
            var obs = env.Reset(seed).Observation;
            int cue = obs[cueOffset] == 1f ? 1 : obs[cueOffset + 1] == 1f ? 2 : 0;
            Assert.That(cue, Is.EqualTo(env.TrueCue));
            seenCues.Add(cue);
            var r = env.Step(Right);
            Assert.That(r.Observation[cueOffset] + r.Observation[cueOffset + 1], Is.Zero, "cue must vanish after the first step");
        }
        Assert.That(seenCues, Is.EquivalentTo(new[] { 1, 2 }), "both arms must be used across seeds");
    }

    [Test]
    public void TMaze_wrong_arm_is_penalised()
    {
        var env = new GridWorld(GridMap.BuiltIn("TMaze"));
        env.Reset(3);
        for (int i = 0; i < 4; i++) env.Step(Right);
        var r = env.Step(env.TrueCue == 1 ? Down : Up);
        Assert.That((r.Terminated, r.Reward), Is.EqualTo((true, -1f)));
    }

    [TestCase(2)]
    [TestCase(20)]
    [TestCase(100)]
    public void TMaze_length_option_sets_the_corridor_the_time_limit_and_keeps_the_cue_to_the_first_observation(int length)
    {
        using var env = EnvRegistry.Default.Make("GridWorld-TMaze-v0", EnvOptions.Parse([$"length={length}"]));
        var grid = DeepRL.Environments.Wrappers.Wrapper.Find<GridWorld>(env)!;
        Assert.That((grid.Map.Height, grid.Map.Width), Is.EqualTo((5, length + 2)));
        Assert.That(env.Spec!.MaxEpisodeSteps, Is.EqualTo(2 * length + 20));
        Assert.That(env.ObservationSpace.FlatSize, Is.EqualTo(5 * (length + 2) + 2));
        for (int seed = 0; seed < 4; seed++)
        {
            var obs = env.Reset(seed).Observation;
            int cueOffset = 5 * (length + 2);
            Assert.That(obs[cueOffset + grid.TrueCue - 1], Is.EqualTo(1f));
            float total = 0;
            StepResult r = default!;
            for (int i = 0; i < length - 1; i++)
            {
                r = env.Step(Right);
                total += r.Reward;
                Assert.That(r.Observation[cueOffset] + r.Observation[cueOffset + 1], Is.Zero);
                Assert.That(r.Done, Is.False, "the junction is length − 1 moves from the start");
            }
            r = env.Step(grid.TrueCue == 1 ? Up : Down);
            total += r.Reward;
            Assert.That((r.Terminated, r.Reward), Is.EqualTo((true, 1f)));
            Assert.That(total, Is.GreaterThan(0.9f), "the best return clears the threshold at every length");
        }
    }

    [Test]
    public void TMaze_default_length_is_the_shipped_map_and_a_bad_length_is_refused_with_the_range()
    {
        var generated = GridMap.TMaze(GridMap.DefaultTMazeLength);
        var shipped = GridMap.BuiltIn("TMaze");
        Assert.That(generated.Tiles, Is.EqualTo(shipped.Tiles));
        Assert.That((generated.MaxSteps, generated.StepReward, generated.RewardThreshold), Is.EqualTo((shipped.MaxSteps, shipped.StepReward, shipped.RewardThreshold)));
        var ex = Assert.Throws<ArgumentException>(() => EnvRegistry.Default.Make("GridWorld-TMaze-v0", EnvOptions.Parse(["length=1"])));
        Assert.That(ex!.Message, Does.Contain("length=1").And.Contain("2 to"));
    }

    [Test]
    public void Image_observation_has_one_agent_pixel_and_walls_goal_planes()
    {
        var env = new GridWorld(GridMap.BuiltIn("Empty-8x8"), GridObservation.Image);
        var obs = env.Reset(0).Observation;
        int plane = 64;
        Assert.That(env.ObservationSpace.Shape, Is.EqualTo(new[] { GridWorld.ImageChannels, 8, 8 }));
        Assert.That(obs.Skip(plane).Take(plane).Sum(), Is.EqualTo(1f));
        Assert.That(obs[plane + 1 * 8 + 1], Is.EqualTo(1f), "agent at row 1, col 1");
        Assert.That(obs[0], Is.EqualTo(1f), "corner is a wall");
        Assert.That(obs[2 * plane + 6 * 8 + 6], Is.EqualTo(1f), "goal at row 6, col 6");
        Assert.That(obs.Take(plane).Sum(), Is.EqualTo(28f), "8x8 border has 28 wall cells");
    }

    [Test]
    public void Coordinate_observation_is_scaled_row_and_column()
    {
        var env = new GridWorld(GridMap.BuiltIn("Empty-8x8"), GridObservation.Coordinates);
        var obs = env.Reset(0).Observation;
        Assert.That(obs, Is.EqualTo(new[] { 1f / 7, 1f / 7 }));
    }

    [TestCase("---\n", "no rows")]
    [TestCase("---\nS.\n.\n", "every row needs 2")]
    [TestCase("---\n..\n.G\n", "no start")]
    [TestCase("---\nS.\n..\n", "no goal")]
    [TestCase("---\nSX\n.G\n", "unknown character 'X'")]
    [TestCase("colour: red\n---\nS.\n.G\n", "unknown key 'colour'")]
    [TestCase("slip: 2\n---\nS.\n.G\n", "slip must be in [0, 1]")]
    [TestCase("goal_reward: NaN\n---\nS.\n.G\n", "Grid map 'bad': header 'goal_reward: NaN' must be a finite number within float32 range (±3.4e38).")]
    [TestCase("step_reward: -Infinity\n---\nS.\n.G\n", "Grid map 'bad': header 'step_reward: -Infinity' must be a finite number within float32 range (±3.4e38).")]
    [TestCase("lava_reward: lots\n---\nS.\n.G\n", "Grid map 'bad': header 'lava_reward: lots' must be a finite number within float32 range (±3.4e38).")]
    [TestCase("cliff_reward: -1e300\n---\nS.\n.G\n", "header 'cliff_reward: -1e300' must be a finite number within float32 range")]
    [TestCase("max_steps: -5\n---\nS.\n.G\n", "Grid map 'bad': header 'max_steps: -5' must be a whole number from 1 to 2147483647.")]
    [TestCase("max_steps: 1e12\n---\nS.\n.G\n", "header 'max_steps: 1e12' must be a whole number")]
    [TestCase("cue_steps: 2.5\n---\nS.\n.G\n", "header 'cue_steps: 2.5' must be a whole number from 1")]
    public void Malformed_maps_give_errors_that_say_what_is_wrong(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => GridMap.Parse(text, "bad"));
        Assert.That(ex!.Message, Does.Contain(expected));
    }

    /// <summary>Breadth-first search over non-slippery moves to the (true) goal; returns the actions.</summary>
    private static List<int>? ShortestPath(GridMap map, int trueCue = 1)
    {
        int[] dr = [-1, 0, 1, 0], dc = [0, 1, 0, -1];
        var start = map.Starts[0];
        var prev = new Dictionary<(int, int), ((int, int) From, int Action)>();
        var queue = new Queue<(int R, int C)>();
        queue.Enqueue(start);
        prev[start] = (start, -1);
        while (queue.Count > 0)
        {
            var cur = queue.Dequeue();
            var tile = map.Tiles[cur.R, cur.C];
            bool isGoal = tile == Tile.Goal || (tile == Tile.CueGoal1 && trueCue == 1) || (tile == Tile.CueGoal2 && trueCue == 2);
            if (isGoal)
            {
                var actions = new List<int>();
                for (var c = cur; c != start; c = prev[c].From) actions.Add(prev[c].Action);
                actions.Reverse();
                return actions;
            }
            if (tile is Tile.Lava or Tile.Hole or Tile.Cliff or Tile.CueGoal1 or Tile.CueGoal2) continue;
            for (int a = 0; a < 4; a++)
            {
                int r = cur.R + dr[a], c = cur.C + dc[a];
                if (r < 0 || c < 0 || r >= map.Height || c >= map.Width || map.Tiles[r, c] == Tile.Wall) continue;
                if (prev.ContainsKey((r, c))) continue;
                prev[(r, c)] = (cur, a);
                queue.Enqueue((r, c));
            }
        }
        return null;
    }
}
