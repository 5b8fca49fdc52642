using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.Torch;

/// <summary>
/// RMSProp as <c>torch.optim.RMSprop</c> computes it (v ← αv + (1−α)g², θ ← θ − η g / (√v + ε)), the
/// optimizer of A2C (SB3) and of A3C, where the statistics v are shared by all workers (Mnih et al. 2016).
/// With <c>tfStyle</c> it is TensorFlow's variant that the A3C paper and the original baselines used and SB3 offers as
/// <c>RMSpropTFLike</c>: ε inside the square root (θ ← θ − η g / √(v + ε)) and v starting at ones, so early steps are
/// not blown up by a near-zero v.
/// Like <see cref="AdamOptimizer"/>, every native Scalar is a field or held by <c>using</c> until the step is
/// done, so a garbage collection cannot free one mid-call. Not thread-safe: A3C calls <c>Step</c>
/// under its apply lock (or, with Hogwild, accepts the races on purpose).
/// </summary>
public sealed class RmsPropOptimizer : IOptimizer
{
    private const string Magic = "DEEPRL-RMSPROP";
    private const int FormatVersion = 1;
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _square;
    private readonly Scalar _alpha, _oneMinusAlpha, _eps;
    private readonly bool _tfStyle;

    public RmsPropOptimizer(IEnumerable<Parameter> parameters, double learningRate, double alpha = 0.99, double eps = 1e-5, bool tfStyle = false)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive, finite number.");
        _parameters = parameters.ToArray();
        _tfStyle = tfStyle;
        _square = _parameters.Select(p => (tfStyle ? ones_like(p) : zeros_like(p)).DetachFromDisposeScope()).ToArray();
        LearningRate = learningRate;
        _alpha = alpha.ToScalar();
        _oneMinusAlpha = (1 - alpha).ToScalar();
        _eps = eps.ToScalar();
    }

    public double LearningRate { get; set; }

    /// <summary>Updates applied so far.</summary>
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
        using var negativeLr = (-LearningRate).ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var grad = gradients is null ? _parameters[i].grad : gradients[i];
            if (grad is null) continue;
            _square[i].mul_(_alpha).addcmul_(grad, grad, _oneMinusAlpha);
            var denominator = _tfStyle ? _square[i].add(_eps).sqrt_() : _square[i].sqrt().add_(_eps);
            _parameters[i].addcdiv_(grad, denominator, negativeLr);
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
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(_square.Length);
        writer.Write(Steps);
        writer.Write(LearningRate);
        foreach (var t in _square) t.Save(writer);
    }

    public void Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadString() != Magic || reader.ReadInt32() != FormatVersion)
            throw new InvalidDataException($"'{path}' is not a DeepRL RMSProp state file.");
        int count = reader.ReadInt32();
        if (count != _parameters.Length)
            throw new InvalidDataException($"'{path}' holds optimizer state for {count} parameters; this network has {_parameters.Length}.");
        Steps = reader.ReadInt64();
        LearningRate = reader.ReadDouble();
        using var _ = no_grad();
        foreach (var t in _square) t.Load(reader);
    }

    public void Dispose()
    {
        foreach (var t in _square) t.Dispose();
        foreach (var s in new[] { _alpha, _oneMinusAlpha, _eps }) s.Dispose();
    }
}
