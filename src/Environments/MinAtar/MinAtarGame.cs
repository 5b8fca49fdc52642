namespace DeepRL.Environments.MinAtar;

/// <summary>
/// The common shape of a MinAtar game (Young &amp; Tian 2019): a 10×10 board with one binary channel per
/// object type, six actions (0 noop, 1 left, 2 up, 3 right, 4 down, 5 fire) and one random generator shared
/// with the sticky-action draw. Games write their state as C×10×10 planes (channel-major).
/// </summary>
public abstract class MinAtarGame
{
    public const int Size = 10;
    public const int Noop = 0, Left = 1, Up = 2, Right = 3, Down = 4, Fire = 5;

    protected MinAtarGame(Rng rng, bool ramping)
    {
        Rng = rng;
        Ramping = ramping;
    }

    /// <summary>The shared generator (sticky actions and every spawn draw from it).</summary>
    public Rng Rng { get; internal set; }

    public bool Ramping { get; }

    public bool Terminal { get; protected set; }

    public abstract string Name { get; }

    /// <summary>Channel names in order.</summary>
    public abstract string[] Channels { get; }

    /// <summary>The actions (full-set indices) that do something in this game.</summary>
    public abstract int[] MinimalActions { get; }

    public abstract void Reset();

    /// <summary>Applies one action (full-set index) and returns the reward.</summary>
    public abstract float Act(int action);

    /// <summary>Writes the C×10×10 binary planes into <paramref name="planes"/> (already zeroed).</summary>
    public abstract void WriteState(Span<float> planes);

    /// <summary>Writes everything <see cref="Act"/> reads besides the shared generator (saved by the env).</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(Terminal);
        SaveGameState(writer);
    }

    public void LoadState(BinaryReader reader)
    {
        Terminal = reader.ReadBoolean();
        LoadGameState(reader);
    }

    protected abstract void SaveGameState(BinaryWriter writer);

    protected abstract void LoadGameState(BinaryReader reader);

    protected static int Cell(int channel, int y, int x) => channel * Size * Size + y * Size + x;
}
