using System.Runtime.InteropServices;

namespace DeepRL.Cli;

/// <summary>
/// Stops a child run when the process that started it dies: a benchmark cell or cluster node killed with SIGKILL gets no
/// chance to stop its children, and an orphaned cell would keep training for nobody (on a node, beside the copy the
/// coordinator resumes elsewhere). Linux re-parents an orphan, so a changed parent PID means the parent is gone.
/// </summary>
public sealed class ParentWatch : IDisposable
{
    private readonly Timer _timer;

    public ParentWatch(Action parentGone)
    {
        int parent = getppid();
        bool fired = false;
        _timer = new Timer(_ =>
        {
            if (fired || getppid() == parent) return;
            fired = true;
            parentGone();
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Dispose() => _timer.Dispose();

    [DllImport("libc")]
    private static extern int getppid();
}
