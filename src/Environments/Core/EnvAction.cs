namespace DeepRL.Environments;

/// <summary>
/// An action for <see cref="IEnvironment.Step"/>: an integer for <c>Discrete</c> action spaces,
/// or a vector for <c>Box</c> action spaces. Converts implicitly from <c>int</c> and <c>float[]</c>,
/// so <c>env.Step(1)</c> just works. A struct, so stepping never allocates.
/// </summary>
public readonly struct EnvAction
{
    private readonly ReadOnlyMemory<float> _continuous;

    public EnvAction(int discrete)
    {
        Discrete = discrete;
        _continuous = default;
        IsContinuous = false;
    }

    public EnvAction(ReadOnlyMemory<float> continuous)
    {
        Discrete = -1;
        _continuous = continuous;
        IsContinuous = true;
    }

    public int Discrete { get; }

    public bool IsContinuous { get; }

    public ReadOnlySpan<float> Continuous => _continuous.Span;

    public static implicit operator EnvAction(int discrete) => new(discrete);

    public static implicit operator EnvAction(float[] continuous) => new(continuous);

    public override string ToString() => IsContinuous ? $"[{string.Join(", ", _continuous.ToArray())}]" : Discrete.ToString();
}
