using DeepRL.Agents.Torch;
using Microsoft.Extensions.Logging;

namespace DeepRL.Agents.Training;

/// <summary>
/// A run's part in the process's <see cref="GcGate"/>: a safe point at every clock step, a scheduled collection every
/// <see cref="Interval"/> env steps, and a warning (with the likely cause) for any collection that happened outside a
/// safe point since the last step — counted for summary.json.
/// </summary>
internal sealed class RunGcSchedule
{
    private long _lastCollection, _outsideAtStart, _outsideReported;

    /// <summary>
    /// Env steps between scheduled collections: 512 keeps memory flat for the single-threaded agents. A3C raises it:
    /// each collection makes every worker wait for the others to reach a safe point, so fewer, larger collections cost
    /// less throughput there. The gate also collects early when the process has used half of its no-GC budget.
    /// </summary>
    public long Interval { get; set; } = 512;

    /// <summary>Collections outside safe points since <see cref="Start"/> (0 unless the budget was overrun).</summary>
    public long OutsideSafePoints => GcGate.CollectionsOutsideSafePoints - _outsideAtStart;

    /// <summary>Called once the training thread holds the gate.</summary>
    public void Start() => _outsideAtStart = _outsideReported = GcGate.CollectionsOutsideSafePoints;

    public void SafePoint(long step)
    {
        bool collect = step - _lastCollection >= Interval;
        if (collect) _lastCollection = step;
        GcGate.SafePoint(collect);
    }

    /// <summary>
    /// A collection outside a safe point may free a TorchSharp temporary while a native call uses it: rare enough to
    /// go on, serious enough to say, with the likely cause.
    /// </summary>
    public void ReportOutside(long step, ILogger log, MetricsLog metrics)
    {
        long outside = GcGate.CollectionsOutsideSafePoints;
        if (outside == _outsideReported) return;
        log.LogWarning("{New} garbage collection(s) happened outside a safe point at step {Step} ({Total} in this run): the process " +
                       "allocated {MiB:F0} MiB between two safe points, over the {Budget} MiB no-GC budget (or no no-GC region " +
                       "could be opened). The likely cause is an environment, wrapper or callback that allocates a lot per step " +
                       "(images, strings, arrays); reuse buffers there. Such a collection can crash TorchSharp calls.",
            outside - _outsideReported, step, outside - _outsideAtStart, GcGate.LastOverrunBytes / 1048576.0, GcGate.Budget >> 20);
        _outsideReported = outside;
        metrics.Scalar("gc/collections_outside_safe_points", outside - _outsideAtStart, step);
    }

    /// <summary>At the end of the run: counts a collection that slipped past the last safe point, then reports it.</summary>
    public void Finish(long step, ILogger log, MetricsLog metrics)
    {
        GcGate.Audit();
        ReportOutside(step, log, metrics);
    }
}
