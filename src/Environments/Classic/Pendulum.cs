using DeepRL.Environments.Rendering;
using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Classic;

/// <summary>
/// Gymnasium's Pendulum-v1: swing a pendulum up and keep it upright with a torque in [−2, 2].
/// Observation [cos θ, sin θ, θ̇]; reward −(θ² + 0.1 θ̇² + 0.001 u²) with θ normalized to [−π, π];
/// never terminates (the registry truncates at 200 steps). g = 10, m = l = 1, dt = 0.05, |θ̇| ≤ 8.
/// </summary>
public sealed class Pendulum : IEnvironment, IRenderable, ISnapshotable
{
    public const double MaxSpeed = 8, MaxTorque = 2, Dt = 0.05, G = 10, Mass = 1, Length = 1;

    private readonly float[] _obs = new float[3];
    private Rng _rng = Rng.FromEntropy();
    private bool _started;

    public Box ObservationSpace { get; } = new([3], [-1f, -1f, (float)-MaxSpeed], [1f, 1f, (float)MaxSpeed]);

    public Space ActionSpace { get; } = new Box([1], (float)-MaxTorque, (float)MaxTorque);

    public EnvSpec? Spec { get; set; }

    public double Theta { get; private set; }

    public double ThetaDot { get; private set; }

    public double LastTorque { get; private set; }

    public ResetResult Reset(int? seed = null)
    {
        if (seed is int s) _rng = new Rng((ulong)s);
        Theta = _rng.Uniform(-Math.PI, Math.PI);
        ThetaDot = _rng.Uniform(-1, 1);
        LastTorque = 0;
        _started = true;
        Write();
        return new ResetResult(_obs, Info.Empty);
    }

    public StepResult Step(EnvAction action)
    {
        if (!action.IsContinuous || action.Continuous.Length != 1 || !float.IsFinite(action.Continuous[0]))
            throw new ArgumentOutOfRangeException(nameof(action), action.ToString(), "Pendulum takes one torque value in [-2, 2].");
        if (!_started) throw new InvalidOperationException("Call Reset() before Step().");
        double u = Math.Clamp(action.Continuous[0], -MaxTorque, MaxTorque);
        LastTorque = u;
        double th = AngleNormalize(Theta);
        double cost = th * th + 0.1 * ThetaDot * ThetaDot + 0.001 * u * u;
        double newThetaDot = ThetaDot + (3 * G / (2 * Length) * Math.Sin(Theta) + 3.0 / (Mass * Length * Length) * u) * Dt;
        newThetaDot = Math.Clamp(newThetaDot, -MaxSpeed, MaxSpeed);
        Theta += newThetaDot * Dt;
        ThetaDot = newThetaDot;
        Write();
        return new StepResult(_obs, (float)-cost, false, false, Info.Empty);
    }

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_rng);
        writer.Write(_started);
        foreach (double v in (double[])[Theta, ThetaDot, LastTorque]) writer.Write(v);
    }

    public void LoadState(BinaryReader reader)
    {
        reader.ReadInto(_rng);
        _started = reader.ReadBoolean();
        (Theta, ThetaDot, LastTorque) = (reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
        Write();
    }

    private static double AngleNormalize(double x) => ((x + Math.PI) % (2 * Math.PI) + 2 * Math.PI) % (2 * Math.PI) - Math.PI;

    private void Write()
    {
        _obs[0] = (float)Math.Cos(Theta);
        _obs[1] = (float)Math.Sin(Theta);
        _obs[2] = (float)ThetaDot;
    }

    public (int Width, int Height) PreferredFrameSize => (500, 500);

    public void Render(ICanvas canvas)
    {
        float w = canvas.Width, h = canvas.Height, cx = w / 2, cy = h / 2, len = Math.Min(w, h) * 0.4f;
        canvas.Clear(Color.White);
        // θ = 0 is upright; screen y grows downwards.
        float tipX = cx + len * (float)Math.Sin(Theta), tipY = cy - len * (float)Math.Cos(Theta);
        canvas.Line(cx, cy, tipX, tipY, Math.Min(w, h) * 0.04f, new Color(204, 77, 77));
        canvas.FillCircle(cx, cy, Math.Min(w, h) * 0.02f, Color.Black);
    }

    public void Dispose()
    {
    }
}
