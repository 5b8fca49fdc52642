namespace DeepRL.Agents.A3c;

/// <summary>An A3C worker thread failed; the whole run stops and reports which worker, when, and why.</summary>
public sealed class A3cWorkerException(int worker, long step, Exception inner)
    : Exception($"A3C worker {worker} failed at global step {step}: {inner.Message}", inner)
{
    public int Worker { get; } = worker;

    public long Step { get; } = step;
}
