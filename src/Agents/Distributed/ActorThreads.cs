using DeepRL.Agents.Torch;

namespace DeepRL.Agents.Distributed;

/// <summary>
/// Actors as threads of the learner's process. Each thread registers with the process's GC gate (actors do tensor work)
/// and runs <c>run(actor, link, cancel, sent)</c>. An actor that throws is a bug or a broken env that every restart would
/// hit again, so it stops the run: <see cref="Failure"/> holds an <see cref="ActorFailedException"/> naming the actor.
/// </summary>
public sealed class ActorThreads<T>(int count, string name, Action<int, IActorLink<T>, CancellationToken, Action<int>> run) : IActorHost<T>
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<Thread> _threads = [];
    private readonly long[] _sent = new long[count];
    private Exception? _failure;
    private int _active;

    public int ActiveActors => Volatile.Read(ref _active);

    public long StepsSent
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _sent.Length; i++) sum += Interlocked.Read(ref _sent[i]);
            return sum;
        }
    }

    public Exception? Failure => Volatile.Read(ref _failure);

    public bool MayGainActors => false;

    public void Start(ExperienceQueue<T> queue, WeightsBoard board) => Start(new LocalActorLink<T>(queue, board));

    /// <summary>Starts the threads on any link (a cluster node's threads send through a link to the remote learner).</summary>
    public void Start(IActorLink<T> link)
    {
        for (int i = 0; i < count; i++)
        {
            int actor = i;
            var thread = new Thread(() => Body(actor, link)) { IsBackground = true, Name = $"{name}-actor-{actor}" };
            _threads.Add(thread);
            Interlocked.Increment(ref _active);
            thread.Start();
        }
    }

    /// <summary>Added to the actor's index in thread names, unrolls and errors (a node's actors are numbered after the others).</summary>
    public int FirstActor { get; init; }

    private void Body(int index, IActorLink<T> link)
    {
        int actor = FirstActor + index;
        try
        {
            using var gate = GcGate.Enter();
            run(actor, link, _cancel.Token, steps => Interlocked.Add(ref _sent[index], steps));
        }
        catch (Exception ex) when (!_cancel.IsCancellationRequested || ex is not OperationCanceledException)
        {
            Interlocked.CompareExchange(ref _failure, new ActorFailedException(actor, Interlocked.Read(ref _sent[index]), ex), null);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    public int Stop(TimeSpan timeout)
    {
        _cancel.Cancel();
        var deadline = DateTime.UtcNow + timeout;
        int stuck = 0;
        // The caller may hold the GC gate: release it while waiting, so an actor that needs a collection can finish.
        using (GcGate.Wait())
        {
            foreach (var t in _threads)
            {
                var left = deadline - DateTime.UtcNow;
                if (!t.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero)) stuck++;
            }
        }
        return stuck;
    }

    public void Dispose()
    {
        if (Stop(TimeSpan.FromSeconds(30)) == 0) _cancel.Dispose(); // a thread still running may still read the token
    }
}
