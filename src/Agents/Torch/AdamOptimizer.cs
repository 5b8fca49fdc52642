using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.Torch;

/// <summary>
/// Adam (Kingma &amp; Ba 2015), the same update as <c>torch.optim.Adam</c>, written so every native Scalar
/// outlives the call that uses it. TorchSharp 0.107's own Adam passes temporary Scalars' handles to native
/// code without keeping the managed objects alive, so a garbage collection in the middle of a long run can
/// finalize one mid-call ("Expected false to be true … toFloat"); here the constant Scalars are fields and the
/// per-step ones are held by <c>using</c> until the step is done.
/// </summary>
public sealed class AdamOptimizer : IOptimizer
{
    private const int FormatVersion = 1;
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private readonly Scalar _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _eps;
    private readonly double _beta1Value, _beta2Value;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        if (learningRate <= 0) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive.");
        _parameters = parameters.ToArray();
        _m = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _v = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        LearningRate = learningRate;
        (_beta1Value, _beta2Value) = (beta1, beta2);
        _beta1 = beta1.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _beta2 = beta2.ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _eps = eps.ToScalar();
    }

    public double LearningRate { get; set; }

    /// <summary>Updates taken so far (drives the bias correction).</summary>
    public long Steps { get; private set; }

    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }

    public void Step() => Step(null);

    public void Step(IReadOnlyList<Tensor?>? gradients)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Steps++;
        double biasCorrection1 = 1 - Math.Pow(_beta1Value, Steps);
        double biasCorrection2 = 1 - Math.Pow(_beta2Value, Steps);
        using var stepSize = (-LearningRate / biasCorrection1).ToScalar();
        using var denominatorScale = (1.0 / Math.Sqrt(biasCorrection2)).ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var grad = gradients is null ? _parameters[i].grad : gradients[i];
            if (grad is null) continue;
            _m[i].mul_(_beta1).add_(grad, _oneMinusBeta1);
            _v[i].mul_(_beta2).addcmul_(grad, grad, _oneMinusBeta2);
            var denominator = _v[i].sqrt().mul_(denominatorScale).add_(_eps);
            _parameters[i].addcdiv_(_m[i], denominator, stepSize);
        }
    }

    public void Save(string path)
    {
        using var file = File.Create(path);
        Save(file);
    }

    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write("DEEPRL-ADAM");
        writer.Write(FormatVersion);
        writer.Write(_parameters.Length);
        writer.Write(Steps);
        writer.Write(LearningRate);
        for (int i = 0; i < _parameters.Length; i++)
        {
            _m[i].Save(writer);
            _v[i].Save(writer);
        }
    }

    public void Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadString() != "DEEPRL-ADAM" || reader.ReadInt32() != FormatVersion)
            throw new InvalidDataException($"'{path}' is not a DeepRL optimizer state file.");
        int count = reader.ReadInt32();
        if (count != _parameters.Length)
            throw new InvalidDataException($"'{path}' holds optimizer state for {count} parameters; this network has {_parameters.Length}.");
        Steps = reader.ReadInt64();
        LearningRate = reader.ReadDouble();
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            _m[i].Load(reader);
            _v[i].Load(reader);
        }
    }

    public void Dispose()
    {
        foreach (var t in _m.Concat(_v)) t.Dispose();
        foreach (var s in new[] { _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _eps }) s.Dispose();
    }
}
