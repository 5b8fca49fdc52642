using System.Runtime.InteropServices;

namespace DeepRL.Environments.MinAtar;

/// <summary>
/// MinAtar Seaquest: a submarine shoots enemy fish and subs (+1 each), rescues divers, and must surface
/// before its oxygen runs out. Surfacing with no divers ends the episode; surfacing with six pays an oxygen
/// bonus. Enemy subs shoot; contact with any enemy or bullet ends the episode. Each surface speeds the
/// enemies up (ramping).
/// </summary>
public sealed class Seaquest(Rng rng, bool ramping) : MinAtarGame(rng, ramping)
{
    public const int InitSpawnSpeed = 20, InitMoveInterval = 5, MaxOxygen = 200, DiverSpawnSpeed = 30, DiverMoveInterval = 5,
        EnemyShotInterval = 10, ShotCoolDown = 5;

    // Entities as small value lists; index order mirrors the original's Python lists.
    private readonly List<Bullet> _friendly = new(16);
    private readonly List<Bullet> _enemyBullets = new(32);
    private readonly List<Mover> _fish = new(32);
    private readonly List<Mover> _subs = new(32);
    private readonly List<Mover> _divers = new(32);

    private struct Bullet
    {
        public int X, Y;
        public bool Right;
    }

    private struct Mover
    {
        public int X, Y, MoveTimer, ShotTimer;
        public bool Right;
    }

    public override string Name => "Seaquest";

    public override string[] Channels =>
        ["sub_front", "sub_back", "friendly_bullet", "trail", "enemy_bullet", "enemy_fish", "enemy_sub", "oxygen_guage", "diver_guage", "diver"];

    public override int[] MinimalActions => [Noop, Left, Up, Right, Down, Fire];

    public int SubX { get; private set; }

    public int SubY { get; private set; }

    public bool FacingRight { get; private set; }

    public int Oxygen { get; private set; }

    public int DiverCount { get; private set; }

    public int EnemySpawnSpeed { get; private set; }

    public int MoveSpeed { get; private set; }

    public int RampIndex { get; private set; }

    public int EnemyCount => _fish.Count + _subs.Count;

    public int DiverOnBoardCount => DiverCount;

    public int DiversInWater => _divers.Count;

    /// <summary>Test switch: stop enemies and divers from spawning to isolate one rule.</summary>
    public bool SpawningEnabled { get; set; } = true;

    private int _enemySpawnTimer, _diverSpawnTimer, _shotTimer;
    private bool _surface;

    /// <summary>Adds an enemy (tests). A sub shoots every 11 steps, a fish does not.</summary>
    public void AddEnemy(int x, int y, bool right, bool sub)
    {
        var m = new Mover { X = x, Y = y, Right = right, MoveTimer = MoveSpeed, ShotTimer = EnemyShotInterval };
        (sub ? _subs : _fish).Add(m);
    }

    public void AddDiver(int x, int y, bool right) => _divers.Add(new Mover { X = x, Y = y, Right = right, MoveTimer = DiverMoveInterval });

    public void SetSub(int x, int y) => (SubX, SubY) = (x, y);

    public void SetDiverCount(int count) => DiverCount = count;

    public override void Reset()
    {
        Oxygen = MaxOxygen;
        DiverCount = 0;
        SubX = 5;
        SubY = 0;
        FacingRight = false;
        _friendly.Clear();
        _enemyBullets.Clear();
        _fish.Clear();
        _subs.Clear();
        _divers.Clear();
        EnemySpawnSpeed = InitSpawnSpeed;
        _enemySpawnTimer = EnemySpawnSpeed;
        _diverSpawnTimer = DiverSpawnSpeed;
        MoveSpeed = InitMoveInterval;
        RampIndex = 0;
        _shotTimer = 0;
        _surface = true;
        Terminal = false;
    }

    public override float Act(int action)
    {
        if (Terminal) return 0;
        float reward = 0;
        if (_enemySpawnTimer == 0)
        {
            SpawnEnemy();
            _enemySpawnTimer = EnemySpawnSpeed;
        }
        if (_diverSpawnTimer == 0)
        {
            SpawnDiver();
            _diverSpawnTimer = DiverSpawnSpeed;
        }

        if (action == Fire && _shotTimer == 0)
        {
            _friendly.Add(new Bullet { X = SubX, Y = SubY, Right = FacingRight });
            _shotTimer = ShotCoolDown;
        }
        else if (action == Left)
        {
            SubX = Math.Max(0, SubX - 1);
            FacingRight = false;
        }
        else if (action == Right)
        {
            SubX = Math.Min(9, SubX + 1);
            FacingRight = true;
        }
        else if (action == Up) SubY = Math.Max(0, SubY - 1);
        else if (action == Down) SubY = Math.Min(8, SubY + 1);

        // Friendly bullets: move, then hit a fish first, else a sub.
        for (int i = _friendly.Count - 1; i >= 0; i--)
        {
            var b = _friendly[i];
            b.X += b.Right ? 1 : -1;
            if (b.X < 0 || b.X > 9)
            {
                _friendly.RemoveAt(i);
                continue;
            }
            _friendly[i] = b;
            int hit = IndexAt(_fish, b.X, b.Y);
            if (hit >= 0) _fish.RemoveAt(hit);
            else if ((hit = IndexAt(_subs, b.X, b.Y)) >= 0) _subs.RemoveAt(hit);
            if (hit >= 0)
            {
                _friendly.RemoveAt(i);
                reward += 1;
            }
        }

        // Divers: picked up on contact (up to 6), move every 6 steps.
        for (int i = _divers.Count - 1; i >= 0; i--)
        {
            var d = _divers[i];
            if (d.X == SubX && d.Y == SubY && DiverCount < 6)
            {
                _divers.RemoveAt(i);
                DiverCount++;
                continue;
            }
            if (d.MoveTimer == 0)
            {
                d.MoveTimer = DiverMoveInterval;
                d.X += d.Right ? 1 : -1;
                if (d.X < 0 || d.X > 9)
                {
                    _divers.RemoveAt(i);
                    continue;
                }
                if (d.X == SubX && d.Y == SubY && DiverCount < 6)
                {
                    _divers.RemoveAt(i);
                    DiverCount++;
                    continue;
                }
            }
            else
            {
                d.MoveTimer--;
            }
            _divers[i] = d;
        }

        // Enemy subs: like fish (below), and they shoot every 11 steps — even in the step they are shot down.
        for (int i = _subs.Count - 1; i >= 0; i--)
        {
            var sub = _subs[i];
            bool removed = AdvanceEnemy(ref sub, ref reward);
            if (sub.ShotTimer == 0)
            {
                sub.ShotTimer = EnemyShotInterval;
                _enemyBullets.Add(new Bullet { X = sub.X, Y = sub.Y, Right = sub.Right });
            }
            else
            {
                sub.ShotTimer--;
            }
            if (removed) _subs.RemoveAt(i);
            else _subs[i] = sub;
        }

        // Enemy bullets: contact before or after moving is terminal.
        for (int i = _enemyBullets.Count - 1; i >= 0; i--)
        {
            var b = _enemyBullets[i];
            if (b.X == SubX && b.Y == SubY) Terminal = true;
            b.X += b.Right ? 1 : -1;
            if (b.X < 0 || b.X > 9)
            {
                _enemyBullets.RemoveAt(i);
                continue;
            }
            if (b.X == SubX && b.Y == SubY) Terminal = true;
            _enemyBullets[i] = b;
        }

        // Fish: contact is terminal; they move every move_speed + 1 steps and can run into a torpedo (+1).
        for (int i = _fish.Count - 1; i >= 0; i--)
        {
            var fish = _fish[i];
            if (AdvanceEnemy(ref fish, ref reward)) _fish.RemoveAt(i);
            else _fish[i] = fish;
        }

        if (_enemySpawnTimer > 0) _enemySpawnTimer--;
        if (_diverSpawnTimer > 0) _diverSpawnTimer--;
        if (_shotTimer > 0) _shotTimer--;
        if (Oxygen <= 0) Terminal = true;
        if (SubY > 0)
        {
            Oxygen--;
            _surface = false;
        }
        else if (!_surface)
        {
            if (DiverCount == 0) Terminal = true;
            else reward += Surface();
        }
        return reward;
    }

    /// <summary>One enemy's turn: contact check, timed move, torpedo check. Returns true when it is gone.</summary>
    private bool AdvanceEnemy(ref Mover m, ref float reward)
    {
        if (m.X == SubX && m.Y == SubY) Terminal = true;
        if (m.MoveTimer != 0)
        {
            m.MoveTimer--;
            return false;
        }
        m.MoveTimer = MoveSpeed;
        m.X += m.Right ? 1 : -1;
        if (m.X < 0 || m.X > 9) return true;
        if (m.X == SubX && m.Y == SubY)
        {
            Terminal = true;
            return false;
        }
        int bullet = BulletAt(_friendly, m.X, m.Y);
        if (bullet < 0) return false;
        _friendly.RemoveAt(bullet);
        reward += 1;
        return true;
    }

    private float Surface()
    {
        _surface = true;
        float reward = 0;
        if (DiverCount == 6)
        {
            DiverCount = 0;
            reward = Oxygen * 10 / MaxOxygen;
        }
        Oxygen = MaxOxygen;
        DiverCount--; // after a six-diver surface this leaves −1, as in the original
        if (Ramping && (EnemySpawnSpeed > 1 || MoveSpeed > 2))
        {
            if (MoveSpeed > 2 && RampIndex % 2 == 1) MoveSpeed--;
            if (EnemySpawnSpeed > 1) EnemySpawnSpeed--;
            RampIndex++;
        }
        return reward;
    }

    private void SpawnEnemy()
    {
        if (!SpawningEnabled) return;
        bool right = Rng.NextDouble() < 0.5;
        bool sub = Rng.NextDouble() < 1.0 / 3.0;
        int y = 1 + Rng.NextInt(8);
        foreach (var m in _subs) if (m.Y == y && m.Right != right) return;
        foreach (var m in _fish) if (m.Y == y && m.Right != right) return;
        AddEnemy(right ? 0 : 9, y, right, sub);
    }

    private void SpawnDiver()
    {
        if (!SpawningEnabled) return;
        bool right = Rng.NextDouble() < 0.5;
        int y = 1 + Rng.NextInt(8);
        AddDiver(right ? 0 : 9, y, right);
    }

    private static int IndexAt(List<Mover> list, int x, int y)
    {
        for (int i = 0; i < list.Count; i++) if (list[i].X == x && list[i].Y == y) return i;
        return -1;
    }

    private static int BulletAt(List<Bullet> list, int x, int y)
    {
        for (int i = 0; i < list.Count; i++) if (list[i].X == x && list[i].Y == y) return i;
        return -1;
    }

    public override void WriteState(Span<float> planes)
    {
        planes[Cell(0, SubY, SubX)] = 1;
        int back = FacingRight ? SubX - 1 : SubX + 1;
        if (back is >= 0 and <= 9) planes[Cell(1, SubY, back)] = 1;
        for (int x = 0; x < Oxygen * 10 / MaxOxygen; x++) planes[Cell(7, 9, x)] = 1;
        for (int x = 9 - DiverCount; x < 9; x++) if (x >= 0) planes[Cell(8, 9, x)] = 1;
        foreach (var b in _friendly) planes[Cell(2, b.Y, b.X)] = 1;
        foreach (var b in _enemyBullets) planes[Cell(4, b.Y, b.X)] = 1;
        WriteMovers(planes, _fish, 5);
        WriteMovers(planes, _subs, 6);
        WriteMovers(planes, _divers, 9);
    }

    private static void WriteMovers(Span<float> planes, List<Mover> list, int channel)
    {
        foreach (var m in list)
        {
            planes[Cell(channel, m.Y, m.X)] = 1;
            int back = m.Right ? m.X - 1 : m.X + 1;
            if (back is >= 0 and <= 9) planes[Cell(3, m.Y, back)] = 1;
        }
    }

    protected override void SaveGameState(BinaryWriter writer)
    {
        foreach (var bullets in (List<Bullet>[])[_friendly, _enemyBullets]) writer.WriteArray<Bullet>(CollectionsMarshal.AsSpan(bullets));
        foreach (var movers in (List<Mover>[])[_fish, _subs, _divers]) writer.WriteArray<Mover>(CollectionsMarshal.AsSpan(movers));
        foreach (int v in (int[])[SubX, SubY, Oxygen, DiverCount, EnemySpawnSpeed, MoveSpeed, RampIndex, _enemySpawnTimer, _diverSpawnTimer, _shotTimer])
            writer.Write(v);
        writer.Write(FacingRight);
        writer.Write(_surface);
        writer.Write(SpawningEnabled);
    }

    protected override void LoadGameState(BinaryReader reader)
    {
        foreach (var bullets in (List<Bullet>[])[_friendly, _enemyBullets]) ReadList(reader, bullets);
        foreach (var movers in (List<Mover>[])[_fish, _subs, _divers]) ReadList(reader, movers);
        (SubX, SubY, Oxygen, DiverCount, EnemySpawnSpeed) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        (MoveSpeed, RampIndex, _enemySpawnTimer, _diverSpawnTimer, _shotTimer) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        FacingRight = reader.ReadBoolean();
        _surface = reader.ReadBoolean();
        SpawningEnabled = reader.ReadBoolean();
    }

    /// <summary>Entity lists have no fixed size: the saved count decides (bounded, so a damaged file cannot ask for gigabytes).</summary>
    private static void ReadList<T>(BinaryReader reader, List<T> list) where T : unmanaged
    {
        long start = reader.BaseStream.Position;
        int count = reader.ReadInt32();
        if (count is < 0 or > 1000) throw new InvalidDataException($"A saved Seaquest entity list holds {count} entries.");
        reader.BaseStream.Position = start;
        CollectionsMarshal.SetCount(list, count);
        reader.ReadArray(CollectionsMarshal.AsSpan(list));
    }
}
