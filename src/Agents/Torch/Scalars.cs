using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Agents.Torch;

/// <summary>
/// Process-lifetime TorchSharp Scalars for the constants our training math uses. TorchSharp 0.107 turns
/// every <c>double</c> operand into a temporary Scalar with a finalizer and passes only its handle to
/// native code; a garbage collection started by another thread during that call can free it mid-use and
/// crash a long run. Cached Scalars are always reachable, so that cannot happen to them.
/// </summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> Cache = new();

    public static Scalar Of(double value) => Cache.GetOrAdd(value, static v => v.ToScalar());

    public static readonly Scalar One = Of(1.0);
    public static readonly Scalar Half = Of(0.5);
}

/// <summary>Global gradient-norm clipping (like <c>clip_grad_norm_</c>) built from Scalar-free tensor ops.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Checks an update before the optimizer applies it: the gradients' joint L2 norm must be finite (a NaN/∞ loss
    /// makes it NaN/∞), then they are clipped to <paramref name="maxNorm"/> (0 = no clipping). Returns true to apply
    /// the update; false when it is non-finite and the run skips such updates (<c>--on-nan skip</c>); otherwise throws.
    /// </summary>
    public static bool CheckAndClip(IEnumerable<TorchSharp.Modules.Parameter> parameters, double maxNorm, DeepRL.Agents.Training.TrainingRun run)
    {
        try
        {
            ClipGradNorm(parameters, maxNorm > 0 ? maxNorm : double.PositiveInfinity);
            return true;
        }
        catch (NonFiniteUpdateException ex) when (run.SkipNonFiniteUpdate(ex.Reason))
        {
            return false;
        }
    }

    /// <summary>Scales all gradients so their joint L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public static double ClipGradNorm(IEnumerable<TorchSharp.Modules.Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return 0;
        var total = stack(grads.Select(g => g.square().sum()).ToArray()).sum().sqrt();
        if (double.IsFinite(maxNorm)) // an infinite limit only checks the norm: nothing to scale
        {
            var coefficient = total.add(Scalars.Of(1e-6)).reciprocal().mul(Scalars.Of(maxNorm)).clamp_max(Scalars.One);
            foreach (var g in grads) g.mul_(coefficient);
        }
        float norm = total.item<float>();
        if (!float.IsFinite(norm))
            throw new NonFiniteUpdateException($"the gradient norm is {norm}".ToLowerInvariant(), $"The gradient norm is {norm}: the loss or its gradients became NaN/∞ " +
                "(likely causes: a learning rate that is too high, exploding values, or NaN inputs). Training stopped; the last checkpoint is kept.");
        return norm;
    }
}

/// <summary>An update whose loss or gradients are NaN/∞; <see cref="Reason"/> says which, in a few words (for skip warnings).</summary>
public sealed class NonFiniteUpdateException(string reason, string message) : DeepRL.Environments.NonFiniteValueException(message)
{
    public string Reason { get; } = reason;
}
