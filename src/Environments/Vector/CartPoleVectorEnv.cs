using DeepRL.Environments.Classic;
using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Vector;

/// <summary>
/// Many CartPoles in struct-of-arrays form (like Gymnasium's <c>CartPoleVectorEnv</c>): the same
/// equations as <see cref="CartPole"/>, same per-env seeding (env i seeded with <c>seed + i</c> draws
/// the same initial state as a single CartPole seeded with <c>seed + i</c>), with the time limit built in.
/// </summary>
public sealed class CartPoleVectorEnv : VectorEnvironment
{
    private readonly double[] _x, _xDot, _theta, _thetaDot;
    private readonly int[] _elapsed;
    private readonly Rng[] _rngs;
    private readonly bool _mask;
    private readonly int _maxEpisodeSteps;

    public CartPoleVectorEnv(int numEnvs, int threads = 1, int maxEpisodeSteps = 500, bool maskVelocities = false, EnvSpec? spec = null)
        : base(numEnvs, new CartPole(maskVelocities).ObservationSpace, new Discrete(2), threads)
    {
        _x = new double[numEnvs];
        _xDot = new double[numEnvs];
        _theta = new double[numEnvs];
        _thetaDot = new double[numEnvs];
        _elapsed = new int[numEnvs];
        _rngs = new Rng[numEnvs];
        for (int i = 0; i < numEnvs; i++) _rngs[i] = Rng.FromEntropy();
        _mask = maskVelocities;
        _maxEpisodeSteps = maxEpisodeSteps;
        Spec = spec;
    }

    public override EnvSpec? Spec { get; }

    protected override void ResetRange(int start, int end, int? seed)
    {
        for (int i = start; i < end; i++)
        {
            if (seed is int s) _rngs[i].Reseed((ulong)(s + i));
            ResetOne(i);
        }
    }

    private void ResetOne(int i)
    {
        var rng = _rngs[i];
        _x[i] = rng.Uniform(-0.05, 0.05);
        _xDot[i] = rng.Uniform(-0.05, 0.05);
        _theta[i] = rng.Uniform(-0.05, 0.05);
        _thetaDot[i] = rng.Uniform(-0.05, 0.05);
        _elapsed[i] = 0;
        Write(ObservationRow(i), i);
    }

    protected override void StepRange(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            bool terminated = CartPoleDynamics.Step(ref _x[i], ref _xDot[i], ref _theta[i], ref _thetaDot[i], DiscreteActions[i]);
            bool truncated = ++_elapsed[i] >= _maxEpisodeSteps && !terminated;
            if (Record(i, 1f, terminated, truncated))
            {
                Write(FinalObservationRow(i), i);
                ResetOne(i);
            }
            else
            {
                Write(ObservationRow(i), i);
            }
        }
    }

    protected override void SaveEnvStates(BinaryWriter writer)
    {
        foreach (var values in (double[][])[_x, _xDot, _theta, _thetaDot]) writer.WriteArray<double>(values);
        writer.WriteArray<int>(_elapsed);
        foreach (var rng in _rngs) writer.Write(rng);
    }

    protected override void LoadEnvStates(BinaryReader reader)
    {
        foreach (var values in (double[][])[_x, _xDot, _theta, _thetaDot]) reader.ReadArray<double>(values);
        reader.ReadArray<int>(_elapsed);
        foreach (var rng in _rngs) reader.ReadInto(rng);
    }

    private void Write(Span<float> row, int i)
    {
        if (_mask)
        {
            row[0] = (float)_x[i];
            row[1] = (float)_theta[i];
        }
        else
        {
            row[0] = (float)_x[i];
            row[1] = (float)_xDot[i];
            row[2] = (float)_theta[i];
            row[3] = (float)_thetaDot[i];
        }
    }
}
