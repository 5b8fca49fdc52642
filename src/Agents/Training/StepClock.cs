using System.Diagnostics;

namespace DeepRL.Agents.Training;

/// <summary>
/// A run's clock: env steps and training wall time over all its sessions, and the hooks that run each time the agent
/// moves it — like the <c>on_step</c> of Stable-Baselines3's callbacks. Hooks run in the order they were added, on the
/// thread that advances the clock.
/// </summary>
public sealed class StepClock
{
    private readonly Stopwatch _session = Stopwatch.StartNew();
    private readonly double _priorSeconds;
    private readonly List<Action<long>> _hooks = [];

    public StepClock(long step, double priorSeconds)
    {
        Step = SessionStartStep = step;
        _priorSeconds = priorSeconds;
    }

    /// <summary>Env steps taken so far (all sessions).</summary>
    public long Step { get; private set; }

    /// <summary>The step this session started at (0 for a new run).</summary>
    public long SessionStartStep { get; }

    public double ElapsedSeconds => _priorSeconds + _session.Elapsed.TotalSeconds;

    /// <summary>Env steps per second in this session.</summary>
    public double Fps => (Step - SessionStartStep) / Math.Max(1e-9, _session.Elapsed.TotalSeconds);

    /// <summary>Runs <paramref name="hook"/> (with the new step) every time the clock advances.</summary>
    public void OnEveryStep(Action<long> hook) => _hooks.Add(hook);

    /// <summary>
    /// Runs <paramref name="hook"/> once each time the clock passes a multiple of <paramref name="interval"/> steps (a
    /// vector step may pass it by a few); never when the interval is 0 or less.
    /// </summary>
    public void Every(long interval, Action<long> hook)
    {
        if (interval <= 0) return;
        long next = NextMultiple(Step, interval);
        _hooks.Add(step =>
        {
            if (step < next) return;
            next = NextMultiple(step, interval);
            hook(step);
        });
    }

    public void Advance(long step)
    {
        Step = step;
        foreach (var hook in _hooks) hook(step);
    }

    private static long NextMultiple(long step, long every) => (step / every + 1) * every;
}
