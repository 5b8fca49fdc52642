using DeepRL.Environments.Wrappers;

namespace DeepRL.Environments;

/// <summary>
/// Optional, next to <see cref="IEnvironment"/>: an environment with a <see cref="Spaces.Discrete"/> action space
/// that says which actions are valid in the current state (a board game's free cells, a card game's legal
/// plays). Agents then never choose an invalid action, in training or evaluation: policy-gradient agents
/// give masked actions zero probability, DQN takes its argmax and its bootstrap max over valid actions only,
/// and the random policy samples among valid actions. Vector envs carry the masks row by row.
/// </summary>
public interface IActionMasking
{
    /// <summary>
    /// Writes whether each action is valid now (true = may be taken) into <paramref name="valid"/>, whose length
    /// is the number of actions. Called after every <c>Reset</c> and <c>Step</c>; at least one action must be
    /// valid in every non-terminal state.
    /// </summary>
    void WriteActionMask(Span<bool> valid);
}

/// <summary>Helpers for environments that may implement <see cref="IActionMasking"/>.</summary>
public static class ActionMask
{
    /// <summary>The masking env inside <paramref name="env"/>'s wrappers, or null when it does not mask actions.</summary>
    public static IActionMasking? Of(IEnvironment env) => Wrapper.Find<IActionMasking>(env);

    /// <summary>The valid actions of a mask as "0, 3, 4" for error messages.</summary>
    public static string Describe(ReadOnlySpan<bool> valid)
    {
        var list = new List<int>();
        for (int a = 0; a < valid.Length; a++) if (valid[a]) list.Add(a);
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    /// <summary>True when no action is valid (a terminal state); consumers then treat every action as allowed.</summary>
    public static bool NoneValid(ReadOnlySpan<bool> valid) => !valid.Contains(true);

    /// <summary>
    /// A uniformly random valid action; any of <paramref name="actions"/> when <paramref name="valid"/> is empty
    /// (no mask) or marks none valid. Without a mask it draws exactly what <c>rng.NextInt(actions)</c> draws.
    /// </summary>
    public static int SampleValid(Rng rng, int actions, ReadOnlySpan<bool> valid)
    {
        int count = valid.IsEmpty ? 0 : valid.Count(true);
        if (count == 0) return rng.NextInt(actions);
        int pick = rng.NextInt(count);
        for (int a = 0; a < valid.Length; a++)
        {
            if (valid[a] && pick-- == 0) return a;
        }
        throw new InvalidOperationException("Unreachable: the mask changed while sampling.");
    }
}

/// <summary>Reads an environment's current action mask into a reusable buffer (empty when it does not mask).</summary>
public sealed class ActionMaskReader
{
    private readonly IActionMasking? _masking;
    private readonly bool[] _valid;

    public ActionMaskReader(IEnvironment env)
    {
        _masking = env.ActionSpace is Spaces.Discrete ? ActionMask.Of(env) : null;
        _valid = _masking is null ? [] : new bool[((Spaces.Discrete)env.ActionSpace).N];
    }

    /// <summary>The valid actions in the env's current state, or an empty span when the env has no mask.</summary>
    public ReadOnlySpan<bool> Current
    {
        get
        {
            if (_masking is null) return default;
            _masking.WriteActionMask(_valid);
            return _valid;
        }
    }
}
