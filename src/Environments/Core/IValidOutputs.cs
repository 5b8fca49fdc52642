namespace DeepRL.Environments;

/// <summary>
/// An environment whose outputs are valid by construction: every observation it returns lies inside its
/// <see cref="IEnvironment.ObservationSpace"/> (finite, within the bounds, the declared size) and every reward is finite.
/// Vector envs check each step's outputs of other envs before an agent learns from them; for these they skip the check,
/// which for small, fast envs (a one-hot gridworld steps in ≈20 ns) would cost more than the step itself. The built-in
/// gridworlds and MinAtar games make the claim, and their tests play them to check it. Implement it only when the same
/// holds for your env: a wrong claim lets a NaN or out-of-space value reach the agent unnoticed.
/// </summary>
public interface IValidOutputs
{
    /// <summary>True when the claim holds for this instance (a wrapper claims it only when it passes valid outputs through).</summary>
    bool OutputsValidByConstruction { get; }
}

public static class ValidOutputs
{
    /// <summary>Whether <paramref name="env"/> (through its wrappers) guarantees valid observations and rewards.</summary>
    public static bool Of(IEnvironment env) => env is IValidOutputs v && v.OutputsValidByConstruction;
}
