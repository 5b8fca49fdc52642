using DeepRL.Environments;
using DeepRL.Environments.Rendering;
using DeepRL.Environments.Spaces;

namespace MyEnv;

/// <summary>
/// Catch: a ball falls one row per step from a random column; move the paddle on the bottom row
/// (0 = left, 1 = stay, 2 = right) to be under it when it lands. +1 for a catch, −1 for a miss.
/// Observations are either three numbers (ball column, ball row, paddle column, scaled to [0, 1]) or an
/// image (2 × rows × columns: the ball's channel and the paddle's), which DeepRL's CNN policy picks up.
/// Replace the rules with your own; keep Reset seeding the random generator so runs reproduce.
/// </summary>
public sealed class MyEnvGame : IEnvironment, IRenderable
{
    public const int Rows = 10, Columns = 5;

    private readonly bool _image;
    private readonly float[] _obs;
    private Rng _rng = Rng.FromEntropy();
    private int _ballRow, _ballColumn, _paddle;
    private bool _over = true;

    public MyEnvGame(bool imageObservations = false)
    {
        _image = imageObservations;
        ObservationSpace = imageObservations ? new Box([2, Rows, Columns], 0f, 1f) : new Box([3], 0f, 1f);
        _obs = new float[ObservationSpace.FlatSize];
    }

    public Box ObservationSpace { get; }

    public Space ActionSpace { get; } = new Discrete(3);

    public EnvSpec? Spec { get; set; }

    public ResetResult Reset(int? seed = null)
    {
        if (seed is int s) _rng = new Rng((ulong)s);
        (_ballRow, _ballColumn, _paddle, _over) = (0, _rng.NextInt(Columns), Columns / 2, false);
        return new ResetResult(Observe(), Info.Empty);
    }

    public StepResult Step(EnvAction action)
    {
        if (action.IsContinuous || (uint)action.Discrete > 2)
            throw new ArgumentOutOfRangeException(nameof(action), action.ToString(), "MyEnv actions are 0 (left), 1 (stay) and 2 (right).");
        if (_over) throw new InvalidOperationException("The episode is over: call Reset().");
        _paddle = Math.Clamp(_paddle + action.Discrete - 1, 0, Columns - 1);
        _ballRow++;
        _over = _ballRow == Rows - 1;
        float reward = !_over ? 0f : _ballColumn == _paddle ? 1f : -1f;
        return new StepResult(Observe(), reward, _over, false, Info.Empty);
    }

    private float[] Observe()
    {
        if (!_image)
        {
            (_obs[0], _obs[1], _obs[2]) = (_ballColumn / (Columns - 1f), _ballRow / (Rows - 1f), _paddle / (Columns - 1f));
            return _obs;
        }
        Array.Clear(_obs);
        _obs[_ballRow * Columns + _ballColumn] = 1f;                        // channel 0: the ball
        _obs[Rows * Columns + (Rows - 1) * Columns + _paddle] = 1f;         // channel 1: the paddle
        return _obs;
    }

    public (int Width, int Height) PreferredFrameSize => (Columns * 32, Rows * 32);

    public void Render(ICanvas canvas)
    {
        float cell = Math.Min(canvas.Width / (float)Columns, canvas.Height / (float)Rows);
        canvas.Clear(new Color(24, 26, 33));
        canvas.FillRect(_paddle * cell, (Rows - 1) * cell + cell * 0.6f, cell, cell * 0.4f, new Color(90, 200, 250));
        canvas.FillCircle((_ballColumn + 0.5f) * cell, (_ballRow + 0.5f) * cell, cell * 0.35f, new Color(250, 190, 60));
    }

    public void Dispose()
    {
    }
}
