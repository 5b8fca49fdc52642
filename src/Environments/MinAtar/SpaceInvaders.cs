namespace DeepRL.Environments.MinAtar;

/// <summary>
/// MinAtar Space Invaders: a cannon on the bottom row shoots at a 4×6 block of aliens that marches sideways
/// and steps down at the walls, shooting back from the column nearest the cannon. +1 per alien; an enemy
/// bullet or alien reaching the cannon ends the episode. Each cleared wave makes aliens move faster
/// (ramping). Deterministic apart from sticky actions.
/// </summary>
public sealed class SpaceInvaders(Rng rng, bool ramping) : MinAtarGame(rng, ramping)
{
    public const int ShotCoolDown = 5, EnemyMoveInterval = 12, EnemyShotInterval = 10;

    private readonly bool[,] _aliens = new bool[Size, Size];
    private readonly bool[,] _friendly = new bool[Size, Size];
    private readonly bool[,] _enemy = new bool[Size, Size];
    private readonly bool[,] _scratch = new bool[Size, Size];

    public override string Name => "SpaceInvaders";

    public override string[] Channels => ["cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet"];

    public override int[] MinimalActions => [Noop, Left, Right, Fire];

    public int Position { get; private set; }

    public int AlienDir { get; private set; }

    public int MoveInterval { get; private set; }

    public int AlienMoveTimer { get; private set; }

    public int AlienShotTimer { get; private set; }

    public int ShotTimer { get; private set; }

    public int RampIndex { get; private set; }

    public bool Alien(int y, int x) => _aliens[y, x];

    public bool FriendlyBullet(int y, int x) => _friendly[y, x];

    public bool EnemyBullet(int y, int x) => _enemy[y, x];

    public int AlienCount => Count(_aliens);

    public override void Reset()
    {
        Position = 5;
        Array.Clear(_friendly);
        Array.Clear(_enemy);
        Array.Clear(_aliens);
        FillWave();
        AlienDir = -1;
        MoveInterval = EnemyMoveInterval;
        AlienMoveTimer = MoveInterval;
        AlienShotTimer = EnemyShotInterval;
        RampIndex = 0;
        ShotTimer = 0;
        Terminal = false;
    }

    private void FillWave()
    {
        for (int y = 0; y < 4; y++)
            for (int x = 2; x < 8; x++) _aliens[y, x] = true;
    }

    public override float Act(int action)
    {
        if (Terminal) return 0;
        float reward = 0;
        if (action == Fire && ShotTimer == 0)
        {
            _friendly[9, Position] = true;
            ShotTimer = ShotCoolDown;
        }
        else if (action == Left) Position = Math.Max(0, Position - 1);
        else if (action == Right) Position = Math.Min(9, Position + 1);

        // Friendly bullets move up a row (leaving the top clears them); enemy bullets move down.
        RollRows(_friendly, -1);
        ClearRow(_friendly, 9);
        RollRows(_enemy, 1);
        ClearRow(_enemy, 0);
        if (_enemy[9, Position]) Terminal = true;

        if (_aliens[9, Position]) Terminal = true;
        if (AlienMoveTimer == 0)
        {
            AlienMoveTimer = Math.Min(AlienCount, MoveInterval);
            if ((AnyInColumn(_aliens, 0) && AlienDir < 0) || (AnyInColumn(_aliens, 9) && AlienDir > 0))
            {
                AlienDir = -AlienDir;
                if (AnyInRow(_aliens, 9)) Terminal = true;
                RollRows(_aliens, 1);
            }
            else
            {
                RollColumns(_aliens, AlienDir);
            }
            if (_aliens[9, Position]) Terminal = true;
        }

        if (AlienShotTimer == 0)
        {
            AlienShotTimer = EnemyShotInterval;
            if (NearestAlien(out int ay, out int ax)) _enemy[ay, ax] = true;
        }

        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                if (_aliens[y, x] && _friendly[y, x])
                {
                    reward += 1;
                    _aliens[y, x] = false;
                    _friendly[y, x] = false;
                }
            }
        }

        if (ShotTimer > 0) ShotTimer--;
        AlienMoveTimer--;
        AlienShotTimer--;
        if (AlienCount == 0)
        {
            if (MoveInterval > 6 && Ramping)
            {
                MoveInterval--;
                RampIndex++;
            }
            FillWave();
        }
        return reward;
    }

    /// <summary>The lowest alien in the column nearest the cannon (ties: lower column).</summary>
    private bool NearestAlien(out int row, out int column)
    {
        for (int d = 0; d < Size; d++)
        {
            // Column pos − d before pos + d: ties go to the lower column index.
            if (LowestAlien(Position - d, out row)) { column = Position - d; return true; }
            if (d > 0 && LowestAlien(Position + d, out row)) { column = Position + d; return true; }
        }
        (row, column) = (-1, -1);
        return false;
    }

    private bool LowestAlien(int x, out int row)
    {
        row = -1;
        if (x < 0 || x > 9) return false;
        for (int y = Size - 1; y >= 0; y--)
        {
            if (!_aliens[y, x]) continue;
            row = y;
            return true;
        }
        return false;
    }

    private void RollRows(bool[,] map, int shift)
    {
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++) _scratch[((y + shift) % Size + Size) % Size, x] = map[y, x];
        Array.Copy(_scratch, map, map.Length);
    }

    private void RollColumns(bool[,] map, int shift)
    {
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++) _scratch[y, ((x + shift) % Size + Size) % Size] = map[y, x];
        Array.Copy(_scratch, map, map.Length);
    }

    private static void ClearRow(bool[,] map, int y)
    {
        for (int x = 0; x < Size; x++) map[y, x] = false;
    }

    private static bool AnyInColumn(bool[,] map, int x)
    {
        for (int y = 0; y < Size; y++) if (map[y, x]) return true;
        return false;
    }

    private static bool AnyInRow(bool[,] map, int y)
    {
        for (int x = 0; x < Size; x++) if (map[y, x]) return true;
        return false;
    }

    private static int Count(bool[,] map)
    {
        int n = 0;
        foreach (bool b in map) if (b) n++;
        return n;
    }

    public override void WriteState(Span<float> planes)
    {
        planes[Cell(0, 9, Position)] = 1;
        int dirChannel = AlienDir < 0 ? 2 : 3;
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                if (_aliens[y, x])
                {
                    planes[Cell(1, y, x)] = 1;
                    planes[Cell(dirChannel, y, x)] = 1;
                }
                if (_friendly[y, x]) planes[Cell(4, y, x)] = 1;
                if (_enemy[y, x]) planes[Cell(5, y, x)] = 1;
            }
        }
    }

    protected override void SaveGameState(BinaryWriter writer)
    {
        writer.WriteGrid(_aliens);
        writer.WriteGrid(_friendly);
        writer.WriteGrid(_enemy);
        foreach (int v in (int[])[Position, AlienDir, MoveInterval, AlienMoveTimer, AlienShotTimer, ShotTimer, RampIndex]) writer.Write(v);
    }

    protected override void LoadGameState(BinaryReader reader)
    {
        reader.ReadGrid(_aliens);
        reader.ReadGrid(_friendly);
        reader.ReadGrid(_enemy);
        (Position, AlienDir, MoveInterval, AlienMoveTimer) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        (AlienShotTimer, ShotTimer, RampIndex) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
    }
}
