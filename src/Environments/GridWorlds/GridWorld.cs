using DeepRL.Environments.Rendering;
using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.GridWorlds;

/// <summary>
/// A gridworld built from a <see cref="GridMap"/>. Actions: 0 up, 1 right, 2 down, 3 left; moving into a
/// wall or off the map leaves the agent in place. On slippery maps a move goes sideways with
/// probability <see cref="GridMap.Slip"/>. Episodes end at a goal, lava or hole; the time limit
/// is added by the registry (<see cref="GridMap.MaxSteps"/>).
/// </summary>
public sealed class GridWorld : IEnvironment, IRenderable, ISnapshotable, IValidOutputs
{
    public const int ImageChannels = 5;
    private static readonly int[] RowDelta = [-1, 0, 1, 0];
    private static readonly int[] ColDelta = [0, 1, 0, -1];

    private readonly float[] _obs;
    private Rng _rng = Rng.FromEntropy();
    private bool _needsReset = true;
    private int _stepsTaken;

    public GridWorld(GridMap map, GridObservation observation = GridObservation.OneHot)
    {
        Map = map;
        Mode = observation;
        int cueFeatures = map.HasCue ? 2 : 0;
        int[] shape = observation switch
        {
            GridObservation.OneHot => [map.Height * map.Width + cueFeatures],
            GridObservation.Coordinates => [2 + cueFeatures],
            _ => [ImageChannels, map.Height, map.Width],
        };
        ObservationSpace = new Box(shape, 0f, 1f, observation == GridObservation.Image ? BoxDType.UInt8 : BoxDType.Float32);
        _obs = new float[ObservationSpace.FlatSize];
    }

    public GridMap Map { get; }

    public GridObservation Mode { get; }

    public Box ObservationSpace { get; }

    public Space ActionSpace { get; } = new Discrete(4);

    public EnvSpec? Spec { get; set; }

    /// <summary>One-hot, image and coordinate observations are 0/1 or fractions of the grid; rewards come from the map's finite constants.</summary>
    public bool OutputsValidByConstruction => true;

    public int AgentRow { get; private set; }

    public int AgentCol { get; private set; }

    /// <summary>On cued maps, which cued goal (1 or 2) is rewarding this episode; 0 otherwise.</summary>
    public int TrueCue { get; private set; }

    public int? LastAction { get; private set; }

    private bool CueVisible => TrueCue != 0 && _stepsTaken < Map.CueSteps;

    public ResetResult Reset(int? seed = null)
    {
        if (seed is int s) _rng = new Rng((ulong)s);
        var start = Map.Starts[Map.Starts.Count == 1 ? 0 : _rng.NextInt(Map.Starts.Count)];
        (AgentRow, AgentCol) = start;
        TrueCue = Map.HasCue ? 1 + _rng.NextInt(2) : 0;
        _stepsTaken = 0;
        _needsReset = false;
        LastAction = null;
        WriteObservation();
        return new ResetResult(_obs, Info.Empty);
    }

    public StepResult Step(EnvAction action)
    {
        if (action.IsContinuous || (uint)action.Discrete > 3)
            throw new ArgumentOutOfRangeException(nameof(action), action.ToString(), "Gridworld actions are 0 (up), 1 (right), 2 (down), 3 (left).");
        if (_needsReset)
            throw new InvalidOperationException("Gridworld episode is over (or never started): call Reset() before Step().");

        int direction = action.Discrete;
        if (Map.Slip > 0 && _rng.NextDouble() < Map.Slip)
            direction = (direction + (_rng.NextInt(2) == 0 ? 1 : 3)) % 4; // one of the two perpendicular moves

        int r = AgentRow + RowDelta[direction], c = AgentCol + ColDelta[direction];
        if (r >= 0 && r < Map.Height && c >= 0 && c < Map.Width && Map.Tiles[r, c] != Tile.Wall)
            (AgentRow, AgentCol) = (r, c);

        double reward = Map.StepReward;
        bool terminated = false;
        switch (Map.Tiles[AgentRow, AgentCol])
        {
            case Tile.Goal:
                reward = Map.GoalReward;
                terminated = true;
                break;
            case Tile.Lava:
                reward = Map.LavaReward;
                terminated = true;
                break;
            case Tile.Hole:
                reward = Map.HoleReward;
                terminated = true;
                break;
            case Tile.Cliff:
                reward = Map.CliffReward;
                (AgentRow, AgentCol) = Map.Starts[0];
                break;
            case Tile.CueGoal1:
            case Tile.CueGoal2:
                int reached = Map.Tiles[AgentRow, AgentCol] == Tile.CueGoal1 ? 1 : 2;
                reward = reached == TrueCue ? Map.GoalReward : Map.WrongGoalReward;
                terminated = true;
                break;
        }

        _stepsTaken++;
        LastAction = action.Discrete;
        _needsReset = terminated;
        WriteObservation();
        return new StepResult(_obs, (float)reward, terminated, false, Info.Empty);
    }

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_rng);
        writer.Write(_needsReset);
        writer.Write(_stepsTaken);
        writer.Write(AgentRow);
        writer.Write(AgentCol);
        writer.Write(TrueCue);
        writer.Write(LastAction ?? -1);
    }

    public void LoadState(BinaryReader reader)
    {
        reader.ReadInto(_rng);
        _needsReset = reader.ReadBoolean();
        _stepsTaken = reader.ReadInt32();
        (AgentRow, AgentCol, TrueCue) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        if ((uint)AgentRow >= (uint)Map.Height || (uint)AgentCol >= (uint)Map.Width)
            throw new InvalidDataException($"The saved gridworld position ({AgentRow}, {AgentCol}) is outside this {Map.Height}×{Map.Width} map.");
        int last = reader.ReadInt32();
        LastAction = last < 0 ? null : last;
        WriteObservation();
    }

    private void WriteObservation()
    {
        Array.Clear(_obs);
        int h = Map.Height, w = Map.Width;
        switch (Mode)
        {
            case GridObservation.OneHot:
                _obs[AgentRow * w + AgentCol] = 1f;
                if (CueVisible) _obs[h * w + TrueCue - 1] = 1f;
                break;
            case GridObservation.Coordinates:
                _obs[0] = h > 1 ? AgentRow / (float)(h - 1) : 0f;
                _obs[1] = w > 1 ? AgentCol / (float)(w - 1) : 0f;
                if (CueVisible) _obs[2 + TrueCue - 1] = 1f;
                break;
            default:
                int plane = h * w;
                for (int r = 0; r < h; r++)
                {
                    for (int c = 0; c < w; c++)
                    {
                        int cell = r * w + c;
                        switch (Map.Tiles[r, c])
                        {
                            case Tile.Wall: _obs[cell] = 1f; break;
                            case Tile.Goal or Tile.CueGoal1 or Tile.CueGoal2: _obs[2 * plane + cell] = 1f; break;
                            case Tile.Lava or Tile.Hole or Tile.Cliff: _obs[3 * plane + cell] = 1f; break;
                        }
                        if (CueVisible && Map.Tiles[r, c] == (TrueCue == 1 ? Tile.CueGoal1 : Tile.CueGoal2))
                            _obs[4 * plane + cell] = 1f;
                    }
                }
                _obs[plane + AgentRow * w + AgentCol] = 1f;
                break;
        }
    }

    public static readonly Color FloorColor = new(235, 235, 235);
    public static readonly Color WallColor = new(60, 60, 70);
    public static readonly Color GoalColor = new(40, 170, 70);
    public static readonly Color LavaColor = new(230, 90, 20);
    public static readonly Color HoleColor = new(30, 60, 140);
    public static readonly Color CliffColor = new(120, 80, 50);
    public static readonly Color AgentColor = new(220, 30, 30);
    public static readonly Color CueColor = new(250, 210, 40);

    public (int Width, int Height) PreferredFrameSize => (Map.Width * 32, Map.Height * 32);

    public void Render(ICanvas canvas)
    {
        float cw = canvas.Width / (float)Map.Width, ch = canvas.Height / (float)Map.Height;
        canvas.Clear(FloorColor);
        for (int r = 0; r < Map.Height; r++)
        {
            for (int c = 0; c < Map.Width; c++)
            {
                var tile = Map.Tiles[r, c];
                Color? color = tile switch
                {
                    Tile.Wall => WallColor,
                    Tile.Goal => GoalColor,
                    Tile.Lava => LavaColor,
                    Tile.Hole => HoleColor,
                    Tile.Cliff => CliffColor,
                    Tile.CueGoal1 or Tile.CueGoal2 => CueVisible && (tile == Tile.CueGoal1) == (TrueCue == 1) ? CueColor : GoalColor,
                    _ => null,
                };
                if (color is Color col) canvas.FillRect(c * cw, r * ch, cw, ch, col);
            }
        }
        for (int c = 1; c < Map.Width; c++) canvas.Line(c * cw, 0, c * cw, canvas.Height, 1f, new Color(200, 200, 200));
        for (int r = 1; r < Map.Height; r++) canvas.Line(0, r * ch, canvas.Width, r * ch, 1f, new Color(200, 200, 200));
        canvas.FillRect(AgentCol * cw + cw * 0.15f, AgentRow * ch + ch * 0.15f, cw * 0.7f, ch * 0.7f, AgentColor);
    }

    public void Dispose()
    {
    }
}
