using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Wrappers;

/// <summary>
/// With probability <c>p</c> repeats the previous action instead of the chosen one (Machado et al. 2018),
/// which makes deterministic games stochastic. Discrete actions only.
/// </summary>
public sealed class StickyActions : Wrapper, ISnapshotable, IValidOutputs
{
    private readonly double _p;
    private Rng _rng = Rng.FromEntropy();
    private int _last;

    public StickyActions(IEnvironment inner, double p = 0.25) : base(inner)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "The sticky probability must be in [0, 1].");
        if (inner.ActionSpace is not Discrete) throw new ArgumentException("StickyActions needs a Discrete action space.");
        _p = p;
    }

    /// <summary>Observations and rewards pass through unchanged.</summary>
    public bool OutputsValidByConstruction => ValidOutputs.Of(Inner);

    public override ResetResult Reset(int? seed = null)
    {
        if (seed is int s) _rng = new Rng((ulong)s ^ 0x5EED57C1C4UL);
        _last = 0;
        return Inner.Reset(seed);
    }

    /// <summary>A masked env may forbid repeating the previous action now (a board cell just taken): then the new action stands.</summary>
    private bool StillValid(int previous)
    {
        if (ActionMask.Of(Inner) is not { } masking) return true;
        Span<bool> valid = stackalloc bool[((Discrete)ActionSpace).N];
        masking.WriteActionMask(valid);
        return valid[previous];
    }

    public override StepResult Step(EnvAction action)
    {
        int a = action.Discrete;
        if (!action.IsContinuous && ((Discrete)ActionSpace).Contains(a) && _rng.NextDouble() < _p && StillValid(_last)) a = _last;
        _last = a;
        return Inner.Step(action.IsContinuous ? action : a);
    }

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_rng);
        writer.Write(_last);
    }

    public void LoadState(BinaryReader reader)
    {
        reader.ReadInto(_rng);
        _last = reader.ReadInt32();
    }
}
