using System.Runtime;

namespace DeepRL.Agents.Torch;

/// <summary>
/// Keeps garbage collections out of TorchSharp calls during training. TorchSharp 0.107 turns <c>double</c>/<c>int</c>
/// operands (and even the implicit <c>alpha = 1</c> of <c>a + b</c>, or <c>square()</c>'s exponent) into temporary
/// Scalars that have finalizers, and passes only their handles to native code. A collection while such a call
/// runs can queue the Scalar for finalization and free it mid-call ("Unknown scalar type", "Expected false to be
/// true … toFloat"); long runs crashed this way within minutes. Between safe points the training loop runs in a
/// no-GC region, so collections happen only at <see cref="SafePoint"/>, when no native call is in flight.
/// </summary>
public sealed class GcSafePoints : IDisposable
{
    private readonly long _budget;
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);

    public GcSafePoints(long budgetBytes = 64L << 20)
    {
        _budget = budgetBytes;
        Enter();
    }

    /// <summary>True while allocations are covered by a no-GC region.</summary>
    public bool Protected => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>
    /// Collects now (no TorchSharp call is in flight) and opens a fresh region. Inside a region the GC never
    /// runs by itself, so the collections happen here: young generations every time, everything every 64th.
    /// </summary>
    public void SafePoint()
    {
        _gate.EnterWriteLock();
        try
        {
            Exit();
            GC.Collect(++_safePoints % 64 == 0 ? GC.MaxGeneration : 1, GCCollectionMode.Forced, blocking: true);
            Enter();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>Collections performed by <see cref="SafePoint"/> so far.</summary>
    public long Collections => Interlocked.Read(ref _safePoints);

    /// <summary>
    /// Marks the calling thread as doing tensor work until the returned lease is disposed; a safe point waits
    /// for every lease to end. Leases are per thread and not re-entrant.
    /// </summary>
    public WorkLease EnterWork()
    {
        _gate.EnterReadLock();
        return new WorkLease(_gate);
    }

    /// <summary>A worker's hold on the gate (see <see cref="EnterWork"/>).</summary>
    public readonly struct WorkLease(ReaderWriterLockSlim gate) : IDisposable
    {
        public void Dispose() => gate.ExitReadLock();
    }

    private long _safePoints;

    private void Enter()
    {
        try
        {
            if (!Protected) GC.TryStartNoGCRegion(_budget);
        }
        catch (ArgumentOutOfRangeException)
        {
            GC.TryStartNoGCRegion(_budget / 4);
        }
        catch (InvalidOperationException)
        {
            // Another region is active (nested training in one process): it protects us already.
        }
    }

    private void Exit()
    {
        if (!Protected) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // The budget ran out and a collection already ended the region.
        }
    }

    public void Dispose()
    {
        Exit();
        _gate.Dispose();
    }
}
