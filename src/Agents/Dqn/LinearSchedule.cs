namespace DeepRL.Agents.Dqn;

/// <summary>
/// Linear interpolation from <c>start</c> to <c>end</c> over the first <c>fraction</c> of a run's schedule progress
/// (see <see cref="Training.ScheduleSpan"/>), then constant — SB3's and CleanRL's exploration schedule.
/// </summary>
public readonly record struct LinearSchedule(double Start, double End, double Fraction)
{
    public double At(double progress) => Fraction <= 0 ? End : Start + (End - Start) * Math.Min(1.0, progress / Fraction);
}
