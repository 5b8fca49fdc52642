namespace DeepRL.Environments.MinAtar;

/// <summary>
/// MinAtar Freeway: get the chicken (column 4) from the bottom to the top across eight lanes of cars.
/// +1 per crossing (cars then get new speeds); a car hit sends the chicken back to the bottom. The chicken
/// moves at most once every 3 steps; a car with speed s moves every |s|+1 steps. Every episode lasts 2501 steps.
/// </summary>
public sealed class Freeway(Rng rng, bool ramping) : MinAtarGame(rng, ramping)
{
    public const int PlayerSpeed = 3;
    public const int TimeLimit = 2500;

    // Car i: x, lane y = i + 1, move timer, signed speed.
    private readonly int[] _carX = new int[8];
    private readonly int[] _carTimer = new int[8];
    private readonly int[] _carSpeed = new int[8];

    public override string Name => "Freeway";

    public override string[] Channels => ["chicken", "car", "speed1", "speed2", "speed3", "speed4", "speed5"];

    public override int[] MinimalActions => [Noop, Up, Down];

    public int ChickenY { get; private set; }

    public int MoveTimer { get; private set; }

    public int TerminateTimer { get; private set; }

    public int CarX(int i) => _carX[i];

    public int CarSpeed(int i) => _carSpeed[i];

    /// <summary>Places car <paramref name="i"/> (tests): x, signed speed, and its move timer.</summary>
    public void SetCar(int i, int x, int speed, int timer) => (_carX[i], _carSpeed[i], _carTimer[i]) = (x, speed, timer);

    public void SetChicken(int y) => ChickenY = y;

    public override void Reset()
    {
        RandomizeCars(initialize: true);
        ChickenY = 9;
        MoveTimer = PlayerSpeed;
        TerminateTimer = TimeLimit;
        Terminal = false;
    }

    private void RandomizeCars(bool initialize)
    {
        Span<int> speeds = stackalloc int[8];
        for (int i = 0; i < 8; i++) speeds[i] = 1 + Rng.NextInt(5);
        for (int i = 0; i < 8; i++) speeds[i] *= Rng.NextDouble() - 0.5 < 0 ? -1 : 1;
        for (int i = 0; i < 8; i++)
        {
            if (initialize) _carX[i] = 0;
            _carTimer[i] = Math.Abs(speeds[i]);
            _carSpeed[i] = speeds[i];
        }
    }

    public override float Act(int action)
    {
        if (Terminal) return 0;
        float reward = 0;
        if (action == Up && MoveTimer == 0)
        {
            MoveTimer = PlayerSpeed;
            ChickenY = Math.Max(0, ChickenY - 1);
        }
        else if (action == Down && MoveTimer == 0)
        {
            MoveTimer = PlayerSpeed;
            ChickenY = Math.Min(9, ChickenY + 1);
        }

        if (ChickenY == 0)
        {
            reward += 1;
            RandomizeCars(initialize: false);
            ChickenY = 9;
        }

        for (int i = 0; i < 8; i++)
        {
            int lane = i + 1;
            if (_carX[i] == 4 && lane == ChickenY) ChickenY = 9;
            if (_carTimer[i] == 0)
            {
                _carTimer[i] = Math.Abs(_carSpeed[i]);
                _carX[i] += _carSpeed[i] > 0 ? 1 : -1;
                if (_carX[i] < 0) _carX[i] = 9;
                else if (_carX[i] > 9) _carX[i] = 0;
                if (_carX[i] == 4 && lane == ChickenY) ChickenY = 9;
            }
            else
            {
                _carTimer[i]--;
            }
        }

        if (MoveTimer > 0) MoveTimer--;
        TerminateTimer--;
        if (TerminateTimer < 0) Terminal = true;
        return reward;
    }

    public override void WriteState(Span<float> planes)
    {
        planes[Cell(0, ChickenY, 4)] = 1;
        for (int i = 0; i < 8; i++)
        {
            int lane = i + 1;
            planes[Cell(1, lane, _carX[i])] = 1;
            int back = _carSpeed[i] > 0 ? _carX[i] - 1 : _carX[i] + 1;
            if (back < 0) back = 9;
            else if (back > 9) back = 0;
            planes[Cell(1 + Math.Abs(_carSpeed[i]), lane, back)] = 1;
        }
    }

    protected override void SaveGameState(BinaryWriter writer)
    {
        writer.WriteArray<int>(_carX);
        writer.WriteArray<int>(_carTimer);
        writer.WriteArray<int>(_carSpeed);
        foreach (int v in (int[])[ChickenY, MoveTimer, TerminateTimer]) writer.Write(v);
    }

    protected override void LoadGameState(BinaryReader reader)
    {
        reader.ReadArray<int>(_carX);
        reader.ReadArray<int>(_carTimer);
        reader.ReadArray<int>(_carSpeed);
        (ChickenY, MoveTimer, TerminateTimer) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
    }
}
