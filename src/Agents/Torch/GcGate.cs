using System.Runtime;

namespace DeepRL.Agents.Torch;

/// <summary>
/// The process's one garbage-collection gate. TorchSharp 0.107 turns <c>double</c>/<c>int</c> operands (and even the
/// implicit <c>alpha = 1</c> of <c>a + b</c>) into temporary Scalars that have finalizers and passes only their handles to
/// native code; a collection while such a call runs can free them mid-call ("Unknown scalar type", "Expected false to be
/// true … toFloat"). So while any thread of the process trains, evaluates or acts with TorchSharp, the process runs in a
/// no-GC region and collects only at safe points, when no thread is inside a TorchSharp call.
/// <para>
/// A no-GC region and a collection are process-wide, so the gate is too: every thread that does tensor work holds a
/// <see cref="Enter">lease</see> (a reader of one lock); <see cref="SafePoint"/>, called by a thread between two of its
/// TorchSharp calls, releases that thread's hold, and when a collection is due takes the lock exclusively — it waits
/// until every other holder reaches a safe point of its own (or releases its hold to wait) — collects, opens a new region
/// and lets everyone go. Two runs on two threads, A3C workers and their coordinator, an evaluation beside a training
/// run: all go through this one gate.
/// </para>
/// <para>
/// All threads' allocations count against one region budget. When the bytes allocated since the last collection reach
/// half of it, the next safe point collects early. If a collection still happens outside a safe point (the budget ran
/// out between two safe points, or no region could be opened), it is counted in <see cref="CollectionsOutsideSafePoints"/>;
/// runs report that count (summary.json, TensorBoard) and warn. Upstream fixes (dotnet/TorchSharp #1434, #1496) would let
/// this class go in one change.
/// </para>
/// </summary>
public static class GcGate
{
    /// <summary>Bytes the no-GC region may allocate between collections (all threads together).</summary>
    public const long Budget = 64L << 20;

    private static readonly ReaderWriterLockSlim Gate = new(LockRecursionPolicy.NoRecursion);

    [ThreadStatic] private static int t_depth;      // this thread's nested leases
    [ThreadStatic] private static bool t_holding;   // this thread holds a read lock on Gate

    private static int s_threads;                   // threads with at least one lease
    private static long s_regionBudget;             // budget of the open region (0 = none open)
    private static long s_allocatedAtCollection;    // process allocation counter after the last collection
    private static int s_gen0AtCollection;          // gen-0 collection count after the last collection we made or expected
    private static long s_collections;              // collections made at safe points
    private static long s_outside;                  // collections outside safe points while a region should have been open
    private static long s_lastOutsideAllocated;     // bytes allocated between the two safe points around the last outside collection

    /// <summary>Collections made at safe points since the process started.</summary>
    public static long Collections => Interlocked.Read(ref s_collections);

    /// <summary>
    /// Collections that happened outside safe points while threads were registered (0 is the goal); collections while no
    /// region could be opened count here too.
    /// </summary>
    public static long CollectionsOutsideSafePoints => Interlocked.Read(ref s_outside);

    /// <summary>Bytes allocated (process-wide) between the safe points around the most recent outside collection.</summary>
    public static long LastOverrunBytes => Interlocked.Read(ref s_lastOutsideAllocated);

    /// <summary>Threads currently registered with the gate.</summary>
    public static int RegisteredThreads => Volatile.Read(ref s_threads);

    /// <summary>True while the process runs inside a no-GC region.</summary>
    public static bool Protected => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>
    /// Registers the calling thread as doing tensor work until the lease is disposed (on the same thread). Leases nest;
    /// the first lease of the process opens the no-GC region, the last one closes it.
    /// </summary>
    public static Lease Enter()
    {
        if (t_depth++ > 0) return new Lease(true);
        // Registration takes the gate exclusively, so a region is open before this thread's first tensor operation.
        Gate.EnterWriteLock();
        try
        {
            if (s_threads++ == 0 || s_regionBudget == 0)
            {
                lock (Counting) OpenRegion();
            }
        }
        finally
        {
            Gate.ExitWriteLock();
        }
        EnterHold();
        return new Lease(true);
    }

    /// <summary>
    /// A point between two TorchSharp calls of the calling thread: if a collection is due (<paramref name="collect"/>, the
    /// allocation budget half used, or another thread waiting to collect), this thread steps aside, the collection happens
    /// once every registered thread has reached a safe point or released its hold, and the thread continues. Cheap when
    /// nothing is due (one counter read).
    /// </summary>
    public static void SafePoint(bool collect = false)
    {
        bool allocationDue = s_regionBudget > 0 &&
                             GC.GetTotalAllocatedBytes(precise: false) - Volatile.Read(ref s_allocatedAtCollection) >= s_regionBudget / 2;
        bool regionLost = s_regionBudget > 0 && !Protected; // the budget ran out: a collection already happened outside
        if (!collect && !allocationDue && !regionLost)
        {
            if (Gate.WaitingWriteCount > 0) StepAside(); // someone else collects: wait here until it is done
            return;
        }
        long seen = Collections;
        bool held = t_holding;
        if (held) ExitHold();
        Gate.EnterWriteLock();
        try
        {
            // Another thread may have collected while we waited; one collection serves both.
            if (Collections == seen && s_threads > 0) Collect(full: (seen + 1) % 64 == 0);
        }
        finally
        {
            Gate.ExitWriteLock();
            if (held) EnterHold();
        }
    }

    /// <summary>
    /// Releases the calling thread's hold while it waits (on another thread, a lock, I/O or a sleep) so it never keeps
    /// a collection waiting; the hold is taken back when the returned scope is disposed. Without a lease it does nothing.
    /// </summary>
    public static Waiting Wait()
    {
        if (!t_holding) return new Waiting(false);
        ExitHold();
        return new Waiting(true);
    }

    /// <summary>A thread's registration with the gate (see <see cref="Enter"/>).</summary>
    public readonly struct Lease(bool active) : IDisposable
    {
        public void Dispose()
        {
            if (!active) return;
            if (--t_depth > 0) return;
            if (t_holding) ExitHold();
            Gate.EnterWriteLock();
            try
            {
                if (--s_threads == 0)
                {
                    lock (Counting) CloseRegion();
                }
            }
            finally
            {
                Gate.ExitWriteLock();
            }
        }
    }

    /// <summary>A released hold (see <see cref="Wait"/>).</summary>
    public readonly struct Waiting(bool released) : IDisposable
    {
        public void Dispose()
        {
            if (released) EnterHold();
        }
    }

    private static void StepAside()
    {
        if (!t_holding) return;
        ExitHold();
        EnterHold(); // writers go first: this waits until the pending collection is done
    }

    private static void ExitHold()
    {
        t_holding = false;
        Gate.ExitReadLock();
    }

    private static void EnterHold()
    {
        Gate.EnterReadLock();
        t_holding = true;
    }

    /// <summary>
    /// Brings <see cref="CollectionsOutsideSafePoints"/> up to date now (it is otherwise updated at collections), e.g.
    /// before a run writes its summary.
    /// </summary>
    public static void Audit()
    {
        lock (Counting)
        {
            if (s_threads > 0) CountOutsideCollections();
        }
    }

    private static readonly object Counting = new();

    // Under the write lock: no registered thread is inside a TorchSharp call.
    private static void Collect(bool full)
    {
        lock (Counting)
        {
            CountOutsideCollections();
            EndRegion();
            GC.Collect(full ? GC.MaxGeneration : 1, GCCollectionMode.Forced, blocking: true);
            Interlocked.Increment(ref s_collections);
            OpenRegion();
        }
    }

    // Every collection counts in gen 0; those since the last one we made or expected happened outside a safe point.
    private static void CountOutsideCollections()
    {
        int now = GC.CollectionCount(0);
        int outside = now - s_gen0AtCollection;
        s_gen0AtCollection = now;
        if (outside <= 0) return;
        Interlocked.Add(ref s_outside, outside);
        Interlocked.Exchange(ref s_lastOutsideAllocated, GC.GetTotalAllocatedBytes(precise: false) - s_allocatedAtCollection);
    }

    private static void OpenRegion()
    {
        EndRegion();
        long budget = Budget;
        bool started = false;
        while (!started && budget >= 1L << 20)
        {
            try
            {
                started = GC.TryStartNoGCRegion(budget);
                if (!started) budget /= 2;
            }
            catch (ArgumentOutOfRangeException)
            {
                budget /= 2; // larger than this runtime's ephemeral space allows
            }
            catch (InvalidOperationException)
            {
                // Someone outside DeepRL opened a region: it holds collections back for us too.
                started = Protected;
                break;
            }
        }
        s_regionBudget = started ? budget : 0;
        // Opening a region may itself collect; count from here.
        s_gen0AtCollection = GC.CollectionCount(0);
        Volatile.Write(ref s_allocatedAtCollection, GC.GetTotalAllocatedBytes(precise: false));
    }

    private static void CloseRegion()
    {
        CountOutsideCollections();
        EndRegion();
        s_regionBudget = 0;
    }

    private static void EndRegion()
    {
        if (!Protected) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // The budget ran out and a collection already ended the region (counted by the caller).
        }
    }
}
