using DeepRL.Agents.Training;

namespace DeepRL.Tests.Agents;

/// <summary>The run's clock: hooks in order, periodic hooks once per interval whatever the vector step's size.</summary>
[Category("Fast")]
public class StepClockTests
{
    [Test]
    public void A_periodic_hook_runs_once_per_interval_passed_even_when_a_vector_step_overshoots_it()
    {
        var clock = new StepClock(step: 0, priorSeconds: 0);
        var calls = new List<long>();
        clock.Every(1000, calls.Add);
        for (long step = 384; step <= 5000; step += 384) clock.Advance(step); // 384-env vector steps
        Assert.That(calls, Is.EqualTo(new long[] { 1152, 2304, 3072, 4224 }));
    }

    [Test]
    public void A_resumed_clock_schedules_from_its_step_and_an_interval_of_zero_never_fires()
    {
        var clock = new StepClock(step: 2500, priorSeconds: 12.5);
        var every = new List<long>();
        var never = new List<long>();
        clock.Every(1000, every.Add);
        clock.Every(0, never.Add);
        foreach (long step in new long[] { 2900, 3000, 3500, 4100 }) clock.Advance(step);
        Assert.That(every, Is.EqualTo(new long[] { 3000, 4100 }), "nothing at the resume step itself, then each multiple once");
        Assert.That(never, Is.Empty);
        Assert.That(clock.SessionStartStep, Is.EqualTo(2500));
        Assert.That(clock.ElapsedSeconds, Is.GreaterThanOrEqualTo(12.5), "wall time of earlier sessions carries over");
    }

    [Test]
    public void Hooks_run_in_the_order_they_were_added_after_the_step_moved()
    {
        var clock = new StepClock(0, 0);
        var seen = new List<string>();
        clock.OnEveryStep(s => seen.Add($"a{s}:{clock.Step}"));
        clock.Every(2, s => seen.Add($"b{s}"));
        clock.OnEveryStep(s => seen.Add($"c{s}"));
        clock.Advance(1);
        clock.Advance(2);
        Assert.That(seen, Is.EqualTo(new[] { "a1:1", "c1", "a2:2", "b2", "c2" }));
    }
}
