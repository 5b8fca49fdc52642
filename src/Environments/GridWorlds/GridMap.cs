using System.Globalization;

namespace DeepRL.Environments.GridWorlds;

/// <summary>What occupies a cell of a grid map.</summary>
public enum Tile : byte
{
    Floor,
    Wall,
    Goal,
    Lava,
    Hole,
    Cliff,
    CueGoal1,
    CueGoal2,
}

/// <summary>
/// A gridworld parsed from plain text: optional <c>key: value</c> header lines, a line <c>---</c>,
/// then one row of characters per line. Characters: <c>#</c> wall, <c>.</c> floor, <c>S</c> start
/// (several = random start), <c>G</c> goal, <c>L</c> lava (ends the episode), <c>H</c> hole/pit
/// (ends the episode), <c>C</c> cliff (penalty, back to start), <c>1</c>/<c>2</c> cued goals of a
/// memory task (one is the goal each episode, the first observations say which).
/// Lines starting with <c>#</c> before the separator are comments.
/// </summary>
public sealed class GridMap
{
    private static readonly HashSet<string> KnownKeys =
    [
        "description", "goal_reward", "step_reward", "lava_reward", "hole_reward", "cliff_reward",
        "wrong_goal_reward", "slip", "max_steps", "cue_steps", "reward_threshold",
    ];

    private GridMap(string name, Tile[,] tiles, List<(int Row, int Col)> starts, Dictionary<string, string> header)
    {
        Name = name;
        Tiles = tiles;
        Starts = starts;
        Description = header.GetValueOrDefault("description", "");
        GoalReward = Number(name, header, "goal_reward", 1);
        StepReward = Number(name, header, "step_reward", 0);
        LavaReward = Number(name, header, "lava_reward", -1);
        HoleReward = Number(name, header, "hole_reward", 0);
        CliffReward = Number(name, header, "cliff_reward", -100);
        WrongGoalReward = Number(name, header, "wrong_goal_reward", -1);
        Slip = Number(name, header, "slip", 0);
        MaxSteps = Whole(name, header, "max_steps", (int)Math.Min(int.MaxValue, 4L * Height * Width), min: 1);
        CueSteps = Whole(name, header, "cue_steps", 1, min: 1);
        RewardThreshold = header.ContainsKey("reward_threshold") ? Number(name, header, "reward_threshold", 0) : null;
        if (Slip is < 0 or > 1) throw new FormatException($"Grid map '{name}': slip must be in [0, 1], got {Slip}.");
    }

    public string Name { get; }

    public Tile[,] Tiles { get; }

    public int Height => Tiles.GetLength(0);

    public int Width => Tiles.GetLength(1);

    public IReadOnlyList<(int Row, int Col)> Starts { get; }

    public string Description { get; }

    public double GoalReward { get; }

    public double StepReward { get; }

    public double LavaReward { get; }

    public double HoleReward { get; }

    public double CliffReward { get; }

    public double WrongGoalReward { get; }

    /// <summary>Probability that a move goes to one of the two perpendicular directions instead (split evenly).</summary>
    public double Slip { get; }

    public int MaxSteps { get; }

    /// <summary>For cued-goal maps: number of first observations that show the cue.</summary>
    public int CueSteps { get; }

    public double? RewardThreshold { get; }

    public bool HasCue
    {
        get
        {
            foreach (var t in Tiles) if (t is Tile.CueGoal1 or Tile.CueGoal2) return true;
            return false;
        }
    }

    public static GridMap Parse(string text, string name)
    {
        var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lines = text.Replace("\r", "").Split('\n');
        int i = 0;
        bool hasSeparator = lines.Any(l => l.Trim() == "---");
        if (hasSeparator)
        {
            for (; lines[i].Trim() != "---"; i++)
            {
                string line = lines[i].Trim();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                int colon = line.IndexOf(':');
                if (colon <= 0) throw new FormatException($"Grid map '{name}', line {i + 1}: expected 'key: value' before '---', got '{line}'.");
                string key = line[..colon].Trim();
                if (!KnownKeys.Contains(key))
                    throw new FormatException($"Grid map '{name}', line {i + 1}: unknown key '{key}'; known keys: {string.Join(", ", KnownKeys.Order())}.");
                header[key] = line[(colon + 1)..].Trim();
            }
            i++;
        }

        var rows = lines.Skip(i).Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        if (rows.Count == 0) throw new FormatException($"Grid map '{name}' has no rows.");
        int width = rows[0].Length;
        var tiles = new Tile[rows.Count, width];
        var starts = new List<(int, int)>();
        bool hasGoal = false, has1 = false, has2 = false;
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Length != width)
                throw new FormatException($"Grid map '{name}', row {r + 1} has {rows[r].Length} cells; every row needs {width}.");
            for (int c = 0; c < width; c++)
            {
                char ch = rows[r][c];
                tiles[r, c] = ch switch
                {
                    '#' => Tile.Wall,
                    '.' or 'S' => Tile.Floor,
                    'G' => Tile.Goal,
                    'L' => Tile.Lava,
                    'H' => Tile.Hole,
                    'C' => Tile.Cliff,
                    '1' => Tile.CueGoal1,
                    '2' => Tile.CueGoal2,
                    _ => throw new FormatException(
                        $"Grid map '{name}', row {r + 1}, column {c + 1}: unknown character '{ch}'. Use # . S G L H C 1 2."),
                };
                if (ch == 'S') starts.Add((r, c));
                hasGoal |= ch == 'G';
                has1 |= ch == '1';
                has2 |= ch == '2';
            }
        }
        if (starts.Count == 0) throw new FormatException($"Grid map '{name}' has no start cell 'S'.");
        if (has1 != has2) throw new FormatException($"Grid map '{name}': cued goals come in pairs, '1' and '2'.");
        if (!hasGoal && !has1) throw new FormatException($"Grid map '{name}' has no goal: add 'G' (or cued goals '1' and '2').");
        return new GridMap(name, tiles, starts, header);
    }

    /// <summary>Loads one of the maps shipped with DeepRL by name, e.g. <c>FourRooms</c>.</summary>
    public static GridMap BuiltIn(string name)
    {
        var asm = typeof(GridMap).Assembly;
        using var stream = asm.GetManifestResourceStream($"DeepRL.Environments.GridWorlds.Maps.{name}.txt")
            ?? throw new ArgumentException($"No built-in grid map '{name}'; built-ins: {string.Join(", ", BuiltInNames)}.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), name);
    }

    /// <summary>The corridor length of the shipped T-maze map (<c>TMaze.txt</c>).</summary>
    public const int DefaultTMazeLength = 5;

    /// <summary>The longest corridor <see cref="TMaze"/> builds (the one-hot observation has 5·(length+2)+2 values).</summary>
    public const int MaxTMazeLength = 10_000;

    /// <summary>
    /// A T-maze whose corridor has <paramref name="length"/> cells from the start to the junction (Bakker 2002): the cue
    /// is shown in the first observation only, so the agent must carry it for <paramref name="length"/> − 1 moves. The
    /// step penalty is scaled (−0.05/length per step) so the best return stays above the 0.9 threshold at every length,
    /// and the time limit (2·length + 20) leaves room to explore; length 5 is the shipped map.
    /// </summary>
    public static GridMap TMaze(int length)
    {
        if (length is < 2 or > MaxTMazeLength)
            throw new ArgumentException($"T-maze length={length} is out of range: the corridor needs 2 to {MaxTMazeLength} cells.");
        string wall = new('#', length + 2);
        string text = string.Join('\n',
            "description: memory task, the first observation's cue names the rewarding arm",
            "goal_reward: 1",
            "wrong_goal_reward: -1",
            FormattableString.Invariant($"step_reward: {-0.05 / length:R}"),
            "cue_steps: 1",
            FormattableString.Invariant($"max_steps: {2 * length + 20}"),
            "reward_threshold: 0.9",
            "---",
            wall,
            new string('#', length) + "1#",
            "#S" + new string('.', length - 1) + "#",
            new string('#', length) + "2#",
            wall);
        return Parse(text, $"TMaze-{length}");
    }

    public static IReadOnlyList<string> BuiltInNames =>
        typeof(GridMap).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("DeepRL.Environments.GridWorlds.Maps.", StringComparison.Ordinal))
            .Select(n => n["DeepRL.Environments.GridWorlds.Maps.".Length..^".txt".Length])
            .Order()
            .ToList();

    private static double Number(string name, Dictionary<string, string> header, string key, double fallback)
    {
        if (!header.TryGetValue(key, out var v)) return fallback;
        // Rewards reach agents as float32: a value beyond its range would arrive as ∞.
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !float.IsFinite((float)d))
            throw new FormatException($"Grid map '{name}': header '{key}: {v}' must be a finite number within float32 range (±3.4e38).");
        return d;
    }

    private static int Whole(string name, Dictionary<string, string> header, string key, int fallback, int min)
    {
        double d = Number(name, header, key, fallback);
        if (d != Math.Floor(d) || d < min || d > int.MaxValue)
            throw new FormatException($"Grid map '{name}': header '{key}: {header[key]}' must be a whole number from {min} to {int.MaxValue}.");
        return (int)d;
    }
}
