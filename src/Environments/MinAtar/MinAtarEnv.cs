using DeepRL.Environments.Rendering;
using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.MinAtar;

/// <summary>
/// A MinAtar game as an <see cref="IEnvironment"/>: C×10×10 binary observation planes (uint8 Box), the full
/// six actions (<c>MinAtar/Name-v0</c>) or the game's minimal set (<c>-v1</c>), and sticky actions: on every
/// step a draw from the game's generator below <c>stickyProbability</c> repeats the previous action. As in
/// the original, the previous action starts at noop and survives resets. No truncation (Freeway ends itself).
/// </summary>
public sealed class MinAtarEnv : IEnvironment, IRenderable, ISnapshotable, IValidOutputs
{
    private readonly float[] _obs;
    private readonly int[] _actionMap;
    private int _lastAction;
    private bool _needsReset = true;

    public MinAtarEnv(string game, bool minimalActions, double stickyProbability = 0.1, bool ramping = true)
    {
        if (stickyProbability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(stickyProbability), stickyProbability, "sticky must be in [0, 1].");
        var rng = Rng.FromEntropy();
        Game = game.ToLowerInvariant() switch
        {
            "breakout" => new Breakout(rng, ramping),
            "freeway" => new Freeway(rng, ramping),
            "asterix" => new Asterix(rng, ramping),
            "seaquest" => new Seaquest(rng, ramping),
            "spaceinvaders" or "space_invaders" => new SpaceInvaders(rng, ramping),
            _ => throw new ArgumentException($"Unknown MinAtar game '{game}'; games: Asterix, Breakout, Freeway, Seaquest, SpaceInvaders."),
        };
        StickyProbability = stickyProbability;
        _actionMap = minimalActions ? Game.MinimalActions : [0, 1, 2, 3, 4, 5];
        int channels = Game.Channels.Length;
        ObservationSpace = new Box([channels, MinAtarGame.Size, MinAtarGame.Size], 0f, 1f, BoxDType.UInt8);
        ActionSpace = new Discrete(_actionMap.Length);
        _obs = new float[ObservationSpace.FlatSize];
        Game.Reset();
    }

    public MinAtarGame Game { get; }

    public double StickyProbability { get; }

    /// <summary>Full-set index (0 n, 1 l, 2 u, 3 r, 4 d, 5 f) of each action of this env's action space.</summary>
    public IReadOnlyList<int> ActionMap => _actionMap;

    public Box ObservationSpace { get; }

    public Space ActionSpace { get; }

    public EnvSpec? Spec { get; set; }

    /// <summary>Observations are 0/1 channels and rewards small integers, whatever the game does.</summary>
    public bool OutputsValidByConstruction => true;

    /// <summary>The full-set action actually applied last step (after the sticky draw).</summary>
    public int LastAppliedAction => _lastAction;

    public ResetResult Reset(int? seed = null)
    {
        if (seed is int s) Game.Rng.Reseed((ulong)s);
        Game.Reset();
        _needsReset = false;
        WriteObservation();
        return new ResetResult(_obs, Info.Empty);
    }

    public StepResult Step(EnvAction action)
    {
        if (action.IsContinuous || (uint)action.Discrete >= (uint)_actionMap.Length)
            throw new ArgumentOutOfRangeException(nameof(action), action.ToString(), $"{Game.Name} actions are 0 … {_actionMap.Length - 1}.");
        if (_needsReset) throw new InvalidOperationException($"{Game.Name} episode is over (or never started): call Reset() before Step().");
        int a = _actionMap[action.Discrete];
        if (Game.Rng.NextDouble() < StickyProbability) a = _lastAction;
        _lastAction = a;
        float reward = Game.Act(a);
        bool terminal = Game.Terminal;
        _needsReset = terminal;
        WriteObservation();
        return new StepResult(_obs, reward, terminal, false, Info.Empty);
    }

    /// <summary>The game's state and the generator it shares with the sticky-action draw.</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(Game.Rng);
        writer.Write(_lastAction);
        writer.Write(_needsReset);
        Game.SaveState(writer);
    }

    public void LoadState(BinaryReader reader)
    {
        reader.ReadInto(Game.Rng);
        _lastAction = reader.ReadInt32();
        _needsReset = reader.ReadBoolean();
        Game.LoadState(reader);
        WriteObservation();
    }

    private void WriteObservation()
    {
        Array.Clear(_obs);
        Game.WriteState(_obs);
    }

    /// <summary>One colour per channel (a fixed palette, like MinAtar's display), drawn in channel order.</summary>
    public static readonly Color[] Palette =
    [
        Color.FromHex(0xE6194B), Color.FromHex(0x3CB44B), Color.FromHex(0xFFE119), Color.FromHex(0x4363D8), Color.FromHex(0xF58231),
        Color.FromHex(0x911EB4), Color.FromHex(0x46F0F0), Color.FromHex(0xF032E6), Color.FromHex(0xBCF60C), Color.FromHex(0xFABEBE),
    ];

    public static readonly Color Background = new(20, 20, 20);

    public (int Width, int Height) PreferredFrameSize => (320, 320);

    public void Render(ICanvas canvas)
    {
        float cw = canvas.Width / 10f, ch = canvas.Height / 10f;
        canvas.Clear(Background);
        int channels = Game.Channels.Length;
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < 10; y++)
            {
                for (int x = 0; x < 10; x++)
                {
                    if (_obs[c * 100 + y * 10 + x] > 0) canvas.FillRect(x * cw, y * ch, cw, ch, Palette[c]);
                }
            }
        }
    }

    public void Dispose()
    {
    }
}
