namespace DeepRL.Agents.Training;

/// <summary>
/// How far through its schedules (ε, learning-rate and clip annealing, PER β) a run is at an env step: progress goes
/// linearly from <see cref="FromProgress"/> at <see cref="FromStep"/> to 1 at <see cref="ToStep"/>.
/// <para>
/// A new run spans 0 → its length (<c>Agent.Learn(steps)</c>'s steps, else <c>total_timesteps</c>), as Stable-Baselines3's
/// <c>learn(total_timesteps)</c> does. A resumed run keeps its span when the total is unchanged; a resume to another total
/// continues from the progress reached at the resume step and stretches the rest to the new end, so no schedule jumps
/// (SB3's <c>reset_num_timesteps=False</c> would jump: it recomputes progress against the new total). The span is saved
/// in every checkpoint (run.json).
/// </para>
/// </summary>
public sealed record ScheduleSpan(long FromStep, double FromProgress, long ToStep, ScheduleSpan? Before = null)
{
    /// <summary>The span of a run that starts at step 0 and trains <paramref name="totalSteps"/> steps.</summary>
    public static ScheduleSpan Fresh(long totalSteps) => new(0, 0, totalSteps);

    /// <summary>Fraction of the schedules elapsed at <paramref name="step"/>, in [0, 1].</summary>
    public double Progress(long step)
    {
        // A rollout or segment in progress at the resume started before it: it keeps the values it started with.
        if (step < FromStep && Before is not null) return Before.Progress(step);
        if (ToStep <= FromStep) return 1.0;
        double p = FromProgress + (1.0 - FromProgress) * (step - FromStep) / (ToStep - FromStep);
        return Math.Clamp(p, 0.0, 1.0);
    }

    /// <summary>1 − <see cref="Progress"/>: SB3's <c>progress_remaining</c>, the factor of a linear decay to 0.</summary>
    public double Remaining(long step) => 1.0 - Progress(step);

    /// <summary>The span for a session that resumes at <paramref name="step"/> and ends at <paramref name="totalSteps"/>.</summary>
    public ScheduleSpan ContinuedTo(long step, long totalSteps) =>
        totalSteps == ToStep ? this : new ScheduleSpan(step, Progress(step), totalSteps, this with { Before = null });

    /// <summary>Rejects spans no run can have, naming the file.</summary>
    public ScheduleSpan Validated(string path)
    {
        if (FromStep < 0 || ToStep < 0 || !double.IsFinite(FromProgress) || FromProgress is < 0 or > 1)
            throw new InvalidDataException($"Checkpoint file '{path}' is invalid: schedule is {this}.");
        Before?.Validated(path);
        return this;
    }
}
