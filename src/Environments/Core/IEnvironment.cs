using DeepRL.Environments.Spaces;

namespace DeepRL.Environments;

/// <summary>
/// A reinforcement-learning environment with Gymnasium's contract: <see cref="Reset"/> starts an
/// episode, <see cref="Step"/> advances it and reports whether it was <c>terminated</c> (the task
/// ended) or <c>truncated</c> (cut short from outside). Extra capabilities — drawing, for one —
/// are separate optional interfaces such as <see cref="Rendering.IRenderable"/>.
/// </summary>
public interface IEnvironment : IDisposable
{
    /// <summary>Valid observations. Observations are always flat float arrays of <c>ObservationSpace.FlatSize</c>.</summary>
    Box ObservationSpace { get; }

    /// <summary>Valid actions: <see cref="Discrete"/> or <see cref="Box"/>.</summary>
    Space ActionSpace { get; }

    /// <summary>Registration data (id, time limit, reward threshold) when made through the registry.</summary>
    EnvSpec? Spec { get; set; }

    /// <summary>Starts a new episode. A seed reseeds the environment's random generator; <c>null</c> continues its stream.</summary>
    ResetResult Reset(int? seed = null);

    /// <summary>Applies one action. Throws <see cref="ArgumentOutOfRangeException"/> for an action outside the action space.</summary>
    StepResult Step(EnvAction action);
}
