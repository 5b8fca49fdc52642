using Akka.Actor;
using DeepRL.Agents.Benchmarking;

namespace DeepRL.Cluster.Coordinator;

/// <summary>
/// Which cells of a cluster grid are queued, on which node, and finished. Changed by the coordinator actor, read by the
/// live view on another thread: every member takes the lock.
/// </summary>
internal sealed class GridState
{
    private readonly object _lock = new();
    private readonly LinkedList<BenchmarkCell> _queue;
    private readonly Dictionary<BenchmarkCell, (Address Node, string Name)> _assigned = [];
    private readonly HashSet<BenchmarkCell> _finished = [];
    private long _bytesIn, _bytesOut;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GridState(IEnumerable<BenchmarkCell> todo)
    {
        _queue = new LinkedList<BenchmarkCell>(todo);
        CheckDone();
    }

    /// <summary>Completes when every cell has finished (successfully or not).</summary>
    public Task Done => _done.Task;

    /// <summary>Artifact bytes received from nodes (checkpoints, finished run folders) and sent to them (resumes, plugins).</summary>
    public (long In, long Out) Traffic => (Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut));

    public void Received(long bytes) => Interlocked.Add(ref _bytesIn, bytes);

    public void Sent(long bytes) => Interlocked.Add(ref _bytesOut, bytes);

    public IReadOnlyCollection<BenchmarkCell> Running
    {
        get { lock (_lock) return _assigned.Keys.ToList(); }
    }

    public string? NodeOf(BenchmarkCell cell)
    {
        lock (_lock) return _assigned.TryGetValue(cell, out var a) ? a.Name : null;
    }

    public bool IsFinished(BenchmarkCell cell)
    {
        lock (_lock) return _finished.Contains(cell);
    }

    public bool IsAssignedTo(BenchmarkCell cell, Address node)
    {
        lock (_lock) return _assigned.TryGetValue(cell, out var a) && a.Node.Equals(node);
    }

    public BenchmarkCell? Next(Address node, string name)
    {
        lock (_lock)
        {
            if (_queue.First is not { } first) return null;
            _queue.RemoveFirst();
            _assigned[first.Value] = (node, name);
            return first.Value;
        }
    }

    /// <summary>Puts a cell back at the front of the queue (a lost node's, a returned one), unless it finished meanwhile.</summary>
    public void Requeue(BenchmarkCell cell)
    {
        lock (_lock)
        {
            _assigned.Remove(cell);
            if (!_finished.Contains(cell) && !_queue.Contains(cell)) _queue.AddFirst(cell);
        }
    }

    /// <summary>The cells a node held when it left.</summary>
    public IReadOnlyList<BenchmarkCell> HeldBy(Address node)
    {
        lock (_lock) return _assigned.Where(p => p.Value.Node.Equals(node)).Select(p => p.Key).ToList();
    }

    /// <summary>Records a finished cell; false if it had already finished (a node that came back delivers it again).</summary>
    public bool Finish(BenchmarkCell cell)
    {
        lock (_lock)
        {
            _assigned.Remove(cell);
            _queue.Remove(cell);
            if (!_finished.Add(cell)) return false;
            CheckDone();
            return true;
        }
    }

    private void CheckDone()
    {
        if (_queue.Count == 0 && _assigned.Count == 0) _done.TrySetResult();
    }
}
