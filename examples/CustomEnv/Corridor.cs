using DeepRL.Environments;
using DeepRL.Environments.Rendering;
using DeepRL.Environments.Spaces;

namespace DeepRL.Examples.CustomEnv;

/// <summary>
/// A minimal custom environment: walk right along a corridor of <c>length</c> cells to the exit (+1).
/// Shows the whole contract a plugin author implements: spaces, seeded Reset, Step with
/// terminated/truncated, clear errors for bad actions, and optional drawing.
/// </summary>
public sealed class Corridor(int length = 8) : IEnvironment, IRenderable
{
    private readonly float[] _obs = new float[1];
    private Rng _rng = Rng.FromEntropy();
    private int _position;
    private bool _done = true;

    public Box ObservationSpace { get; } = new([1], 0f, 1f);

    public Space ActionSpace { get; } = new Discrete(2);

    public EnvSpec? Spec { get; set; }

    public ResetResult Reset(int? seed = null)
    {
        if (seed is int s) _rng = new Rng((ulong)s);
        _position = _rng.NextInt(length / 2);
        _done = false;
        _obs[0] = _position / (float)(length - 1);
        return new ResetResult(_obs, Info.Empty);
    }

    public StepResult Step(EnvAction action)
    {
        if (action.IsContinuous || (uint)action.Discrete > 1)
            throw new ArgumentOutOfRangeException(nameof(action), action.ToString(), "Corridor actions are 0 (left) or 1 (right).");
        if (_done) throw new InvalidOperationException("Corridor episode is over: call Reset().");
        _position = Math.Clamp(_position + (action.Discrete == 1 ? 1 : -1), 0, length - 1);
        _done = _position == length - 1;
        _obs[0] = _position / (float)(length - 1);
        return new StepResult(_obs, _done ? 1f : 0f, _done, false, Info.Empty);
    }

    public (int Width, int Height) PreferredFrameSize => (length * 32, 32);

    public void Render(ICanvas canvas)
    {
        float cell = canvas.Width / (float)length;
        canvas.Clear(new Color(235, 235, 235));
        canvas.FillRect((length - 1) * cell, 0, cell, canvas.Height, new Color(40, 170, 70));
        canvas.FillRect(_position * cell, 0, cell, canvas.Height, new Color(220, 30, 30));
    }

    public void Dispose()
    {
    }
}

/// <summary>Registers the example's environments; load with <c>deeprl … --env-assembly DeepRL.Examples.CustomEnv.dll</c>.</summary>
public sealed class CorridorPlugin : IEnvironmentPlugin
{
    public void Register(EnvRegistry registry) =>
        registry.Register(new EnvSpec("Corridor-v0", o => new Corridor(o.GetInt("length", 8)), MaxEpisodeSteps: 50, RewardThreshold: 0.99,
            Description: "Example plugin: walk right to the exit (examples/CustomEnv)", Family: "example"));
}
