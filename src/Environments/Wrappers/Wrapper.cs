using DeepRL.Environments.Rendering;
using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Wrappers;

/// <summary>
/// Forwards everything to the wrapped environment; a concrete wrapper overrides the one thing it changes.
/// Rendering passes through when the inner environment can draw itself.
/// </summary>
public abstract class Wrapper : IEnvironment, IRenderable
{
    protected Wrapper(IEnvironment inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    public IEnvironment Inner { get; }

    /// <summary>The innermost, unwrapped environment.</summary>
    public IEnvironment Unwrapped => Inner is Wrapper w ? w.Unwrapped : Inner;

    public virtual Box ObservationSpace => Inner.ObservationSpace;

    public virtual Space ActionSpace => Inner.ActionSpace;

    public EnvSpec? Spec
    {
        get => Inner.Spec;
        set => Inner.Spec = value;
    }

    public virtual ResetResult Reset(int? seed = null) => Inner.Reset(seed);

    public virtual StepResult Step(EnvAction action) => Inner.Step(action);

    public (int Width, int Height) PreferredFrameSize =>
        Unwrapped is IRenderable r ? r.PreferredFrameSize : throw NotRenderable();

    public virtual void Render(ICanvas canvas)
    {
        if (Unwrapped is IRenderable r) r.Render(canvas);
        else throw NotRenderable();
    }

    /// <summary>Finds the first wrapper of type <typeparamref name="T"/> in the chain, or the unwrapped env if it is a T.</summary>
    public static T? Find<T>(IEnvironment env) where T : class
    {
        for (IEnvironment? e = env; e is not null; e = (e as Wrapper)?.Inner)
        {
            if (e is T t) return t;
        }
        return null;
    }

    private NotSupportedException NotRenderable() =>
        new($"{Unwrapped.GetType().Name} does not implement IRenderable, so it cannot be drawn.");

    public virtual void Dispose() => Inner.Dispose();
}
