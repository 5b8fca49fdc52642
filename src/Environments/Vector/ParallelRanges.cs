namespace DeepRL.Environments.Vector;

/// <summary>
/// Runs a body over [0, count) split into contiguous ranges, one per thread, on long-lived worker
/// threads (the caller runs the first range). Nothing is allocated per run, unlike Parallel.For.
/// </summary>
internal sealed class ParallelRanges : IDisposable
{
    private readonly Action<int, int> _body;
    private readonly int _count;
    private readonly int _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _done;
    private readonly Thread[] _workers;
    private volatile bool _stopping;
    private Exception? _failure;

    public ParallelRanges(int count, int threads, Action<int, int> body)
    {
        _count = count;
        _threads = Math.Clamp(threads, 1, Math.Max(1, count));
        _body = body;
        _start = new SemaphoreSlim[_threads];
        _done = new CountdownEvent(1);
        _workers = new Thread[_threads];
        for (int t = 1; t < _threads; t++)
        {
            _start[t] = new SemaphoreSlim(0);
            int index = t;
            _workers[t] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"vector-env-{t}" };
            _workers[t].Start();
        }
    }

    public int Threads => _threads;

    private (int Start, int End) Range(int t) => (_count * t / _threads, _count * (t + 1) / _threads);

    public void Run()
    {
        if (_threads == 1)
        {
            _body(0, _count);
            return;
        }
        _done.Reset(_threads - 1);
        for (int t = 1; t < _threads; t++) _start[t].Release();
        var (s, e) = Range(0);
        try
        {
            _body(s, e);
        }
        finally
        {
            _done.Wait(); // even when this thread's range failed: the workers must be idle before the next run
        }
        if (_failure is { } f)
        {
            _failure = null;
            // The worker's own exception, typed as it was thrown (a caller catches NonFiniteValueException, say).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(f).Throw();
        }
    }

    private void WorkerLoop(int t)
    {
        var (s, e) = Range(t);
        while (true)
        {
            _start[t].Wait();
            if (_stopping) return;
            try
            {
                _body(s, e);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            _done.Signal();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        for (int t = 1; t < _threads; t++) _start[t].Release();
        for (int t = 1; t < _threads; t++) _workers[t].Join();
        for (int t = 1; t < _threads; t++) _start[t].Dispose();
        _done.Dispose();
    }
}
