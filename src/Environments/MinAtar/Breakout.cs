namespace DeepRL.Environments.MinAtar;

/// <summary>
/// MinAtar Breakout: a paddle on the bottom row, a ball moving diagonally, three rows of bricks.
/// +1 per brick; the episode ends when the ball reaches the bottom row and misses the paddle.
/// Clearing every brick refills them when the ball next reaches the bottom. No difficulty ramping.
/// </summary>
public sealed class Breakout(Rng rng, bool ramping) : MinAtarGame(rng, ramping)
{
    private static readonly int[] ReflectX = [1, 0, 3, 2];
    private static readonly int[] ReflectY = [3, 2, 1, 0];
    private static readonly int[] Reverse = [2, 3, 0, 1];
    private readonly bool[,] _bricks = new bool[Size, Size];

    public override string Name => "Breakout";

    public override string[] Channels => ["paddle", "ball", "trail", "brick"];

    public override int[] MinimalActions => [Noop, Left, Right];

    public int BallX { get; private set; }

    public int BallY { get; private set; }

    /// <summary>0 up-left, 1 up-right, 2 down-right, 3 down-left.</summary>
    public int BallDir { get; private set; }

    public int Paddle { get; private set; }

    public int LastX { get; private set; }

    public int LastY { get; private set; }

    /// <summary>True when the ball struck a brick last step (it then passes into a brick cell without breaking it).</summary>
    public bool Strike { get; private set; }

    public bool Brick(int y, int x) => _bricks[y, x];

    public int BrickCount
    {
        get
        {
            int n = 0;
            foreach (bool b in _bricks) if (b) n++;
            return n;
        }
    }

    public override void Reset()
    {
        bool fromLeft = Rng.NextInt(2) == 0;
        (BallX, BallDir) = fromLeft ? (0, 2) : (9, 3);
        BallY = 3;
        Paddle = 4;
        Array.Clear(_bricks);
        FillBricks();
        Strike = false;
        LastX = BallX;
        LastY = BallY;
        Terminal = false;
    }

    /// <summary>Places the ball (tests and demonstrations).</summary>
    public void SetBall(int x, int y, int dir, int paddle)
    {
        (BallX, BallY, BallDir, Paddle) = (x, y, dir, paddle);
        Terminal = false;
    }

    public void SetBrick(int y, int x, bool present) => _bricks[y, x] = present;

    private void FillBricks()
    {
        for (int y = 1; y <= 3; y++)
            for (int x = 0; x < Size; x++) _bricks[y, x] = true;
    }

    public override float Act(int action)
    {
        if (Terminal) return 0;
        float reward = 0;
        if (action == Left) Paddle = Math.Max(0, Paddle - 1);
        else if (action == Right) Paddle = Math.Min(9, Paddle + 1);

        LastX = BallX;
        LastY = BallY;
        int newX = BallX + (BallDir is 1 or 2 ? 1 : -1);
        int newY = BallY + (BallDir is 2 or 3 ? 1 : -1);
        bool struck = false;
        if (newX < 0 || newX > 9)
        {
            newX = Math.Clamp(newX, 0, 9);
            BallDir = ReflectX[BallDir];
        }
        if (newY < 0)
        {
            newY = 0;
            BallDir = ReflectY[BallDir];
        }
        else if (_bricks[newY, newX])
        {
            struck = true;
            if (!Strike)
            {
                reward += 1;
                Strike = true;
                _bricks[newY, newX] = false;
                newY = LastY;
                BallDir = ReflectY[BallDir];
            }
        }
        else if (newY == 9)
        {
            if (BrickCount == 0) FillBricks();
            if (BallX == Paddle)
            {
                BallDir = ReflectY[BallDir];
                newY = LastY;
            }
            else if (newX == Paddle)
            {
                BallDir = Reverse[BallDir];
                newY = LastY;
            }
            else
            {
                Terminal = true;
            }
        }
        if (!struck) Strike = false;
        BallX = newX;
        BallY = newY;
        return reward;
    }

    public override void WriteState(Span<float> planes)
    {
        planes[Cell(0, 9, Paddle)] = 1;
        planes[Cell(1, BallY, BallX)] = 1;
        planes[Cell(2, LastY, LastX)] = 1;
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
                if (_bricks[y, x]) planes[Cell(3, y, x)] = 1;
    }

    protected override void SaveGameState(BinaryWriter writer)
    {
        writer.WriteGrid(_bricks);
        foreach (int v in (int[])[BallX, BallY, BallDir, Paddle, LastX, LastY]) writer.Write(v);
        writer.Write(Strike);
    }

    protected override void LoadGameState(BinaryReader reader)
    {
        reader.ReadGrid(_bricks);
        (BallX, BallY, BallDir, Paddle, LastX, LastY) =
            (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        Strike = reader.ReadBoolean();
    }
}
