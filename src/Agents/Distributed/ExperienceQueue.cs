using System.Diagnostics;

namespace DeepRL.Agents.Distributed;

/// <summary>
/// The bounded hand-off between actors and a learner: actors <see cref="TryAdd"/> experience (waiting while the queue is
/// full, so a slow learner slows its actors instead of growing memory), the learner <see cref="TryTakeBatch"/>. Every
/// wait is bounded by a timeout and a cancellation token, so neither side can hang on a peer that stopped. It knows
/// nothing of what the items are (IMPALA unrolls, or Ape-X transitions).
/// </summary>
public sealed class ExperienceQueue<T> : IDisposable
{
    private readonly Queue<T> _items;
    private readonly object _lock = new();
    private long _producerWaitTicks, _consumerWaitTicks, _added, _taken, _highWater;
    private bool _completed;

    public ExperienceQueue(int capacity)
    {
        if (capacity < 1) throw new ArgumentException($"An experience queue needs room for at least one item, got capacity {capacity}.");
        Capacity = capacity;
        _items = new Queue<T>(capacity);
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_lock) return _items.Count;
        }
    }

    public bool IsCompleted
    {
        get
        {
            lock (_lock) return _completed;
        }
    }

    /// <summary>The most items the queue ever held at once (never above <see cref="Capacity"/>).</summary>
    public long HighWater => Interlocked.Read(ref _highWater);

    public long Added => Interlocked.Read(ref _added);

    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>Seconds producers spent waiting for room (the learner was the bottleneck).</summary>
    public double ProducerWaitSeconds => Interlocked.Read(ref _producerWaitTicks) / (double)Stopwatch.Frequency;

    /// <summary>Seconds the consumer spent waiting for items (the actors were the bottleneck).</summary>
    public double ConsumerWaitSeconds => Interlocked.Read(ref _consumerWaitTicks) / (double)Stopwatch.Frequency;

    /// <summary>
    /// Adds an item, waiting while the queue is full. False when the queue was completed, <paramref name="cancel"/> was
    /// cancelled or <paramref name="timeout"/> passed first (the item was not added).
    /// </summary>
    public bool TryAdd(T item, TimeSpan timeout, CancellationToken cancel = default)
    {
        long start = Stopwatch.GetTimestamp();
        long deadline = start + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_lock)
        {
            try
            {
                while (_items.Count >= Capacity && !_completed)
                {
                    if (!WaitUntil(deadline, cancel)) return false;
                }
                if (_completed) return false;
                _items.Enqueue(item);
                _added++;
                if (_items.Count > _highWater) _highWater = _items.Count;
                Monitor.PulseAll(_lock);
                return true;
            }
            finally
            {
                _producerWaitTicks += Stopwatch.GetTimestamp() - start;
            }
        }
    }

    /// <summary>
    /// Takes exactly <paramref name="count"/> items into <paramref name="batch"/> (cleared first), waiting for them.
    /// False when cancelled, completed or timed out before the batch was full: the items taken so far stay in
    /// <paramref name="batch"/>, so nothing is lost and a caller may retry with it.
    /// </summary>
    public bool TryTakeBatch(List<T> batch, int count, TimeSpan timeout, CancellationToken cancel = default)
    {
        long start = Stopwatch.GetTimestamp();
        long deadline = start + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_lock)
        {
            try
            {
                while (batch.Count < count)
                {
                    while (_items.Count > 0 && batch.Count < count)
                    {
                        batch.Add(_items.Dequeue());
                        _taken++;
                        Monitor.PulseAll(_lock);
                    }
                    if (batch.Count == count) break;
                    if (_completed || !WaitUntil(deadline, cancel)) return false;
                }
                return true;
            }
            finally
            {
                _consumerWaitTicks += Stopwatch.GetTimestamp() - start;
            }
        }
    }

    /// <summary>No more items will be added or taken: every waiting producer and consumer returns.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
    }

    // Waits on the lock's monitor in short slices so a cancellation is noticed within 50 ms without a registration.
    private bool WaitUntil(long deadline, CancellationToken cancel)
    {
        long now = Stopwatch.GetTimestamp();
        if (now >= deadline || cancel.IsCancellationRequested) return false;
        int ms = (int)Math.Min(50, Math.Max(1, (deadline - now) * 1000 / Stopwatch.Frequency));
        Monitor.Wait(_lock, ms);
        return !cancel.IsCancellationRequested;
    }

    public void Dispose() => Complete();
}
