using Microsoft.Extensions.Logging;

namespace DeepRL.Agents.Training;

/// <summary>
/// Updates skipped for a non-finite loss or gradient under <c>on_nan: skip</c>: counted from any thread, reported as
/// one warning (and a metric) per step that saw new ones, by the thread that drives the run.
/// </summary>
internal sealed class SkippedUpdates(string onNan)
{
    private long _count, _reported;
    private string _lastDetail = "";

    public long Count => Interlocked.Read(ref _count);

    /// <summary>True = skip this update (counted); false = the run stops on it.</summary>
    public bool TrySkip(string detail)
    {
        if (onNan != "skip") return false;
        Volatile.Write(ref _lastDetail, detail);
        Interlocked.Increment(ref _count);
        return true;
    }

    public void Report(long step, ILogger log, MetricsLog metrics)
    {
        long skipped = Count;
        if (skipped == _reported) return;
        log.LogWarning("Skipped {New} update(s) at step {Step} ({Total} so far) because {Detail}", skipped - _reported, step, skipped, Volatile.Read(ref _lastDetail));
        _reported = skipped;
        metrics.Scalar("skipped_updates", skipped, step);
    }
}
