namespace DeepRL.Environments.MinAtar;

/// <summary>
/// MinAtar Asterix: move around rows 1–8 collecting gold (+1) and avoiding enemies (terminal). Entities
/// spawn at either edge in free rows and move horizontally; with ramping, spawns and moves speed up every
/// 102 steps.
/// </summary>
public sealed class Asterix(Rng rng, bool ramping) : MinAtarGame(rng, ramping)
{
    public const int RampInterval = 100, InitSpawnSpeed = 10, InitMoveInterval = 5;

    // Slot i (row i + 1): present, x, moving right, gold.
    private readonly bool[] _present = new bool[8];
    private readonly int[] _x = new int[8];
    private readonly bool[] _right = new bool[8];
    private readonly bool[] _gold = new bool[8];

    public override string Name => "Asterix";

    public override string[] Channels => ["player", "enemy", "trail", "gold"];

    public override int[] MinimalActions => [Noop, Left, Up, Right, Down];

    public int PlayerX { get; private set; }

    public int PlayerY { get; private set; }

    public int SpawnSpeed { get; private set; }

    public int MoveSpeed { get; private set; }

    public int SpawnTimer { get; private set; }

    public int MoveTimer { get; private set; }

    public int RampTimer { get; private set; }

    public int RampIndex { get; private set; }

    public int EntityCount => _present.Count(p => p);

    /// <summary>Puts an entity in slot <paramref name="slot"/> (tests).</summary>
    public void SetEntity(int slot, int x, bool right, bool gold) => (_present[slot], _x[slot], _right[slot], _gold[slot]) = (true, x, right, gold);

    public void SetPlayer(int x, int y) => (PlayerX, PlayerY) = (x, y);

    public override void Reset()
    {
        PlayerX = 5;
        PlayerY = 5;
        Array.Clear(_present);
        SpawnSpeed = InitSpawnSpeed;
        SpawnTimer = SpawnSpeed;
        MoveSpeed = InitMoveInterval;
        MoveTimer = MoveSpeed;
        RampTimer = RampInterval;
        RampIndex = 0;
        Terminal = false;
    }

    public override float Act(int action)
    {
        if (Terminal) return 0;
        float reward = 0;
        if (SpawnTimer == 0)
        {
            Spawn();
            SpawnTimer = SpawnSpeed;
        }

        if (action == Left) PlayerX = Math.Max(0, PlayerX - 1);
        else if (action == Right) PlayerX = Math.Min(9, PlayerX + 1);
        else if (action == Up) PlayerY = Math.Max(1, PlayerY - 1);
        else if (action == Down) PlayerY = Math.Min(8, PlayerY + 1);

        for (int i = 0; i < 8; i++) reward += Collide(i);

        if (MoveTimer == 0)
        {
            MoveTimer = MoveSpeed;
            for (int i = 0; i < 8; i++)
            {
                if (!_present[i]) continue;
                _x[i] += _right[i] ? 1 : -1;
                if (_x[i] < 0 || _x[i] > 9) _present[i] = false;
                else reward += Collide(i);
            }
        }

        SpawnTimer--;
        MoveTimer--;
        if (Ramping && (SpawnSpeed > 1 || MoveSpeed > 1))
        {
            if (RampTimer >= 0)
            {
                RampTimer--;
            }
            else
            {
                if (MoveSpeed > 1 && RampIndex % 2 == 1) MoveSpeed--;
                if (SpawnSpeed > 1) SpawnSpeed--;
                RampIndex++;
                RampTimer = RampInterval;
            }
        }
        return reward;
    }

    private float Collide(int i)
    {
        if (!_present[i] || _x[i] != PlayerX || i + 1 != PlayerY) return 0;
        if (_gold[i])
        {
            _present[i] = false;
            return 1;
        }
        Terminal = true;
        return 0;
    }

    private void Spawn()
    {
        bool right = Rng.NextDouble() < 0.5;
        bool gold = Rng.NextDouble() < 1.0 / 3.0;
        int free = 0;
        for (int i = 0; i < 8; i++) if (!_present[i]) free++;
        if (free == 0) return;
        int pick = Rng.NextInt(free);
        for (int i = 0; i < 8; i++)
        {
            if (_present[i]) continue;
            if (pick-- == 0)
            {
                SetEntity(i, right ? 0 : 9, right, gold);
                return;
            }
        }
    }

    public override void WriteState(Span<float> planes)
    {
        planes[Cell(0, PlayerY, PlayerX)] = 1;
        for (int i = 0; i < 8; i++)
        {
            if (!_present[i]) continue;
            int y = i + 1;
            planes[Cell(_gold[i] ? 3 : 1, y, _x[i])] = 1;
            int back = _right[i] ? _x[i] - 1 : _x[i] + 1;
            if (back is >= 0 and <= 9) planes[Cell(2, y, back)] = 1;
        }
    }

    protected override void SaveGameState(BinaryWriter writer)
    {
        writer.WriteArray<bool>(_present);
        writer.WriteArray<int>(_x);
        writer.WriteArray<bool>(_right);
        writer.WriteArray<bool>(_gold);
        foreach (int v in (int[])[PlayerX, PlayerY, SpawnSpeed, MoveSpeed, SpawnTimer, MoveTimer, RampTimer, RampIndex]) writer.Write(v);
    }

    protected override void LoadGameState(BinaryReader reader)
    {
        reader.ReadArray<bool>(_present);
        reader.ReadArray<int>(_x);
        reader.ReadArray<bool>(_right);
        reader.ReadArray<bool>(_gold);
        (PlayerX, PlayerY, SpawnSpeed, MoveSpeed) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        (SpawnTimer, MoveTimer, RampTimer, RampIndex) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
    }
}
