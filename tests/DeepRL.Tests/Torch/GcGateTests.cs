using DeepRL.Agents.Torch;
using static TorchSharp.torch;

namespace DeepRL.Tests.Torch;

/// <summary>
/// The multi-threaded garbage-collection gate. Several workers run TorchSharp ops that pass temporary Scalars to
/// native code (a + b's implicit alpha, mul/sub by a double) while another thread allocates garbage and forces a
/// collection every millisecond. Without the gate a collection lands inside a worker's native call, frees its
/// Scalar mid-use and the process crashes or computes garbage (docs/benchmarks.md records the ablation); with it,
/// every collection waits until all workers are between ops.
/// </summary>
public class GcGateTests
{
    [Test]
    public void Forced_collections_from_another_thread_never_land_inside_workers_tensor_calls()
    {
        using var gc = new GcSafePoints();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        long ops = 0, wrong = 0;
        Exception? failure = null;
        var workers = Enumerable.Range(0, 3).Select(w => new Thread(() =>
        {
            try
            {
                while (DateTime.UtcNow < deadline)
                {
                    using var lease = gc.EnterWork();
                    using var scope = NewDisposeScope();
                    var a = full(64, 1.5f);
                    for (int k = 0; k < 20; k++)
                    {
                        // (1.5 + 1.5) · 0.5 − 1.0 = 0.5 per element: every op makes a temporary Scalar.
                        var d = a.add(a).mul(0.5).sub(1.0);
                        if (Math.Abs(d.sum().item<float>() - 32f) > 1e-4f) Interlocked.Increment(ref wrong);
                        Interlocked.Increment(ref ops);
                        GC.KeepAlive(new byte[256 + w]); // managed garbage from the workers too
                    }
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })).ToList();
        long collections = 0;
        var collector = new Thread(() =>
        {
            while (DateTime.UtcNow < deadline)
            {
                for (int i = 0; i < 200; i++) _ = new object[32];
                gc.SafePoint();
                collections++;
                Thread.Sleep(1);
            }
        });
        workers.ForEach(t => t.Start());
        collector.Start();
        workers.ForEach(t => t.Join());
        collector.Join();

        Assert.That(failure, Is.Null, failure?.ToString());
        Assert.That(wrong, Is.Zero, "every result is right");
        Assert.That(collections, Is.GreaterThan(20), "the collector really collected, often");
        Assert.That(ops, Is.GreaterThan(2000));
        TestContext.Out.WriteLine($"{ops} checked ops, {collections} forced collections, {gc.Collections} counted");
    }

    [Test]
    public void A_safe_point_waits_for_a_worker_to_leave_its_tensor_work()
    {
        using var gc = new GcSafePoints();
        var lease = gc.EnterWork();
        var safePoint = Task.Run(gc.SafePoint);
        Assert.That(safePoint.Wait(TimeSpan.FromMilliseconds(300)), Is.False, "blocked while a worker is inside");
        lease.Dispose();
        Assert.That(safePoint.Wait(TimeSpan.FromSeconds(5)), Is.True, "proceeds once the worker left");
    }
}
