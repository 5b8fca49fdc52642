namespace DeepRL.Agents.Dqn;

/// <summary>Linear interpolation from <c>start</c> to <c>end</c> over the first <c>duration</c> steps, then constant.</summary>
public readonly record struct LinearSchedule(double Start, double End, double Duration)
{
    public double At(long step) => Duration <= 0 ? End : Start + (End - Start) * Math.Min(1.0, step / Duration);
}
