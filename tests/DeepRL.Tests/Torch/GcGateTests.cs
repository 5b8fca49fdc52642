using DeepRL.Agents.Torch;
using static TorchSharp.torch;

namespace DeepRL.Tests.Torch;

/// <summary>
/// The process's garbage-collection gate. Several workers run TorchSharp ops that pass temporary Scalars to native code
/// (a + b's implicit alpha, mul/sub by a double) while another thread allocates garbage and forces collections. Without
/// the gate a collection lands inside a worker's native call, frees its Scalar mid-use and the process crashes or computes
/// garbage (docs/benchmarks.md records the ablation); with it, every collection waits until all workers are at safe points.
/// </summary>
[Category("Fast")]
public class GcGateTests
{
    [Test]
    public void Forced_collections_from_another_thread_never_land_inside_workers_tensor_calls()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        long ops = 0, wrong = 0, collectionsBefore = GcGate.Collections;
        Exception? failure = null;
        var workers = Enumerable.Range(0, 3).Select(w => new Thread(() =>
        {
            try
            {
                // Each worker registers on its own: the gate is the process's, not a run's.
                using var gate = GcGate.Enter();
                while (DateTime.UtcNow < deadline)
                {
                    using (var scope = NewDisposeScope())
                    {
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
                    GcGate.SafePoint();
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
            using var gate = GcGate.Enter();
            while (DateTime.UtcNow < deadline)
            {
                for (int i = 0; i < 200; i++) _ = new object[32];
                GcGate.SafePoint(collect: true);
                collections++;
                using (GcGate.Wait()) Thread.Sleep(1);
            }
        });
        workers.ForEach(t => t.Start());
        collector.Start();
        Assert.That(workers.All(t => t.Join(TimeSpan.FromSeconds(60))) && collector.Join(TimeSpan.FromSeconds(60)), "threads end");

        Assert.That(failure, Is.Null, failure?.ToString());
        Assert.That(wrong, Is.Zero, "every result is right");
        Assert.That(collections, Is.GreaterThan(20), "the collector really collected, often");
        Assert.That(GcGate.Collections - collectionsBefore, Is.GreaterThan(20));
        Assert.That(ops, Is.GreaterThan(2000));
        TestContext.Out.WriteLine($"{ops} checked ops, {collections} forced collections");
    }

    [Test]
    public void A_safe_point_of_one_registration_waits_for_another_threads_tensor_work()
    {
        // Two independent users of the gate (two runs, or a learner beside an evaluation): one's collection must wait
        // until the other thread reaches a safe point.
        using var inside = new ManualResetEventSlim();
        using var leave = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            using var gate = GcGate.Enter();
            inside.Set();
            leave.Wait(TimeSpan.FromSeconds(30)); // "inside a TorchSharp call"
            GcGate.SafePoint();
        });
        other.Start();
        Assert.That(inside.Wait(TimeSpan.FromSeconds(10)));
        var collect = Task.Run(() =>
        {
            using var gate = GcGate.Enter();
            GcGate.SafePoint(collect: true);
        });
        Assert.That(collect.Wait(TimeSpan.FromMilliseconds(300)), Is.False, "blocked while the other thread is inside");
        leave.Set();
        Assert.That(collect.Wait(TimeSpan.FromSeconds(10)), Is.True, "proceeds once the other thread reached a safe point");
        Assert.That(other.Join(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void A_thread_that_waits_releases_its_hold()
    {
        using var gate = GcGate.Enter();
        var collect = Task.Run(() => GcGate.SafePoint(collect: true));
        using (GcGate.Wait())
        {
            Assert.That(collect.Wait(TimeSpan.FromSeconds(10)), Is.True, "a waiting thread does not hold collections back");
        }
    }

    [Test]
    public void The_region_is_open_while_a_thread_is_registered_and_closed_after_the_last_leaves()
    {
        Assert.That(GcGate.RegisteredThreads, Is.Zero, "no other registration is active in this test process");
        using (GcGate.Enter())
        {
            Assert.That(GcGate.Protected, Is.True);
            using (GcGate.Enter()) Assert.That(GcGate.RegisteredThreads, Is.EqualTo(1), "leases nest per thread");
            Assert.That(GcGate.Protected, Is.True);
        }
        Assert.That(GcGate.Protected, Is.False);
        Assert.That(GcGate.RegisteredThreads, Is.Zero);
    }

    [Test]
    public void Allocations_near_the_budget_trigger_an_early_safe_point_instead_of_a_collection_outside()
    {
        using var gate = GcGate.Enter();
        long outside = GcGate.CollectionsOutsideSafePoints, collections = GcGate.Collections;
        // 4× the budget in 64 KB pieces, with a safe point (not a scheduled collection) after each piece.
        for (int i = 0; i < 4 * (GcGate.Budget / 65536); i++)
        {
            GC.KeepAlive(new byte[65536]);
            GcGate.SafePoint();
        }
        GcGate.Audit();
        Assert.That(GcGate.CollectionsOutsideSafePoints - outside, Is.Zero);
        Assert.That(GcGate.Collections - collections, Is.GreaterThanOrEqualTo(4), "collected early, at safe points");
    }

    [Test]
    public void A_collection_outside_a_safe_point_is_counted()
    {
        using var gate = GcGate.Enter();
        long outside = GcGate.CollectionsOutsideSafePoints;
        // Past the budget without a safe point: the runtime collects by itself and ends the region.
        for (int i = 0; i < 3 * (GcGate.Budget / 65536); i++) GC.KeepAlive(new byte[65536]);
        GcGate.Audit();
        Assert.That(GcGate.CollectionsOutsideSafePoints - outside, Is.GreaterThan(0));
        Assert.That(GcGate.LastOverrunBytes, Is.GreaterThan(GcGate.Budget / 2));
        GcGate.SafePoint(); // the lost region is noticed and reopened
        Assert.That(GcGate.Protected, Is.True);
    }
}
