namespace DeepRL.Environments;

/// <summary>
/// What <see cref="IEnvironment.Step"/> returns. <see cref="Observation"/> is a buffer owned by the
/// environment and overwritten by the next <c>Step</c>/<c>Reset</c>: copy it if you keep it.
/// </summary>
/// <param name="Observation">The observation after the step, flattened (shape in <c>ObservationSpace</c>).</param>
/// <param name="Reward">The reward for this transition.</param>
/// <param name="Terminated">The episode reached a terminal state of the task (do not bootstrap).</param>
/// <param name="Truncated">The episode was cut short from outside the task, e.g. a time limit (bootstrap).</param>
/// <param name="Info">Diagnostics; <see cref="Info.Empty"/> on most steps.</param>
public readonly record struct StepResult(float[] Observation, float Reward, bool Terminated, bool Truncated, Info Info)
{
    public bool Done => Terminated || Truncated;
}

/// <summary>What <see cref="IEnvironment.Reset"/> returns; the observation buffer is owned by the environment.</summary>
public readonly record struct ResetResult(float[] Observation, Info Info);
