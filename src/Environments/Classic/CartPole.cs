using DeepRL.Environments.Rendering;
using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Classic;

/// <summary>
/// Cart-pole balancing with exactly Gymnasium's CartPole-v1 dynamics (Barto, Sutton and Anderson 1983):
/// explicit Euler integration in double precision, float32 observations
/// <c>[x, ẋ, θ, θ̇]</c>, reward 1 for every step including the terminating one, termination when
/// |x| &gt; 2.4 or |θ| &gt; 12°. The 500-step truncation comes from the registry's <c>TimeLimit</c>.
/// With <c>maskVelocities</c> the observation is <c>[x, θ]</c> only: a partially observable task.
/// </summary>
public sealed class CartPole : IEnvironment, IRenderable, ISnapshotable
{
    public const double Gravity = 9.8;
    public const double MassCart = 1.0;
    public const double MassPole = 0.1;
    public const double TotalMass = MassCart + MassPole;
    public const double HalfLength = 0.5;
    public const double PoleMassLength = MassPole * HalfLength;
    public const double ForceMag = 10.0;
    public const double Tau = 0.02;
    public const double ThetaThresholdRadians = 12 * 2 * Math.PI / 360;
    public const double XThreshold = 2.4;

    private readonly float[] _obs;
    private readonly bool _maskVelocities;
    private Rng _rng = Rng.FromEntropy();
    private bool _needsReset = true;

    public CartPole(bool maskVelocities = false)
    {
        _maskVelocities = maskVelocities;
        float thetaHigh = (float)(ThetaThresholdRadians * 2), xHigh = (float)(XThreshold * 2);
        ObservationSpace = maskVelocities
            ? new Box([2], [-xHigh, -thetaHigh], [xHigh, thetaHigh])
            : new Box([4], [-xHigh, float.MinValue, -thetaHigh, float.MinValue], [xHigh, float.MaxValue, thetaHigh, float.MaxValue]);
        _obs = new float[ObservationSpace.FlatSize];
    }

    public Box ObservationSpace { get; }

    public Space ActionSpace { get; } = new Discrete(2);

    public EnvSpec? Spec { get; set; }

    public double X { get; private set; }

    public double XDot { get; private set; }

    public double Theta { get; private set; }

    public double ThetaDot { get; private set; }

    /// <summary>Sets the physical state directly (tests, demonstrations). The episode counts as running.</summary>
    public void SetState(double x, double xDot, double theta, double thetaDot)
    {
        (X, XDot, Theta, ThetaDot) = (x, xDot, theta, thetaDot);
        _needsReset = false;
        WriteObservation();
    }

    public ResetResult Reset(int? seed = null)
    {
        if (seed is int s) _rng = new Rng((ulong)s);
        X = _rng.Uniform(-0.05, 0.05);
        XDot = _rng.Uniform(-0.05, 0.05);
        Theta = _rng.Uniform(-0.05, 0.05);
        ThetaDot = _rng.Uniform(-0.05, 0.05);
        _needsReset = false;
        WriteObservation();
        return new ResetResult(_obs, Info.Empty);
    }

    public StepResult Step(EnvAction action)
    {
        if (action.IsContinuous || (uint)action.Discrete > 1)
            throw new ArgumentOutOfRangeException(nameof(action), action.ToString(), "CartPole actions are 0 (push left) or 1 (push right).");
        if (_needsReset)
            throw new InvalidOperationException("CartPole episode is over (or never started): call Reset() before Step().");

        double x = X, xDot = XDot, theta = Theta, thetaDot = ThetaDot;
        bool terminated = CartPoleDynamics.Step(ref x, ref xDot, ref theta, ref thetaDot, action.Discrete);
        (X, XDot, Theta, ThetaDot) = (x, xDot, theta, thetaDot);
        _needsReset = terminated;
        WriteObservation();
        return new StepResult(_obs, 1f, terminated, false, Info.Empty);
    }

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_rng);
        writer.Write(_needsReset);
        foreach (double v in (double[])[X, XDot, Theta, ThetaDot]) writer.Write(v);
    }

    public void LoadState(BinaryReader reader)
    {
        reader.ReadInto(_rng);
        _needsReset = reader.ReadBoolean();
        (X, XDot, Theta, ThetaDot) = (reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        WriteObservation();
    }

    private void WriteObservation()
    {
        if (_maskVelocities)
        {
            _obs[0] = (float)X;
            _obs[1] = (float)Theta;
        }
        else
        {
            _obs[0] = (float)X;
            _obs[1] = (float)XDot;
            _obs[2] = (float)Theta;
            _obs[3] = (float)ThetaDot;
        }
    }

    public (int Width, int Height) PreferredFrameSize => (600, 400);

    public void Render(ICanvas canvas)
    {
        // Same picture as Gymnasium's: world width 4.8 m across the frame, track at 100 px from the bottom.
        float w = canvas.Width, h = canvas.Height;
        float scale = (float)(w / (XThreshold * 2));
        float poleLen = (float)(scale * 2 * HalfLength);
        float cartW = 50f * w / 600f, cartH = 30f * w / 600f;
        float trackY = h - 100f * h / 400f;
        float cartX = (float)(X * scale + w / 2.0);
        canvas.Clear(Color.White);
        canvas.Line(0, trackY, w, trackY, 1.5f, Color.Black);
        canvas.FillRect(cartX - cartW / 2, trackY - cartH / 2, cartW, cartH, Color.Black);
        float axleY = trackY - cartH / 4;
        float tipX = cartX + poleLen * (float)Math.Sin(Theta);
        float tipY = axleY - poleLen * (float)Math.Cos(Theta);
        canvas.Line(cartX, axleY, tipX, tipY, 10f * w / 600f, new Color(202, 152, 101));
        canvas.FillCircle(cartX, axleY, 5f * w / 600f, new Color(129, 132, 203));
    }

    public void Dispose()
    {
    }
}
