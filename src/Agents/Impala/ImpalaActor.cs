using DeepRL.Agents.A2c;
using DeepRL.Agents.Distributed;
using DeepRL.Agents.OnPolicy;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Torch;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.Impala;

/// <summary>
/// One IMPALA actor: its own vector env and a CPU copy of the policy. It repeats: pick up the learner's newest weights
/// (if any), step its envs for unroll_length steps sampling from that policy, send the unroll. It never computes a
/// gradient and never waits for an update — a slow learner shows as a full queue (the send waits) and as policy lag.
/// The same loop runs on a learner's thread or on a cluster node; only its <see cref="IActorLink{T}"/> differs.
/// </summary>
public sealed class ImpalaActor : IDisposable
{
    private readonly ActorCritic _net;
    private readonly Parameter[] _parameters;
    private readonly RolloutCollector _collector;
    private readonly int _id, _observationSize;
    private readonly List<(double Return, int Length)> _episodes = [];
    private long _version = -1;

    /// <summary>
    /// An actor numbered <paramref name="id"/> (in logs and unrolls) acting on <paramref name="envs"/> (already reset with
    /// its seed; the caller disposes them) with a network built from <paramref name="config"/>; <paramref name="seed"/>
    /// seeds its action sampler.
    /// </summary>
    public ImpalaActor(int id, ImpalaConfig config, Box observationSpace, Space actionSpace, IVectorEnvironment envs, ulong seed)
    {
        _id = id;
        _observationSize = observationSpace.FlatSize;
        _net = ActorCriticParts.Network(config, observationSpace, actionSpace);
        _parameters = _net.parameters().ToArray();
        foreach (var p in _parameters) p.requires_grad_(false);
        _collector = new RolloutCollector(_net, envs, config.UnrollLength, CPU, new Rng(seed), recordActorOutputs: true);
    }

    /// <summary>
    /// The body of an actor thread, here or on a cluster node: makes its <paramref name="config"/>.envs_per_actor envs
    /// with <paramref name="makeEnvs"/>, seeds them (and its sampler) apart from every other actor's — actor numbers are
    /// unique within a run — and sends unrolls until <paramref name="cancel"/> fires or the learner takes no more.
    /// </summary>
    public static void RunThread(int actor, ImpalaConfig config, Box observationSpace, Space actionSpace, Func<int, IVectorEnvironment> makeEnvs,
        int seed, IActorLink<Unroll> link, CancellationToken cancel, Action<int> sent)
    {
        using var envs = makeEnvs(config.EnvsPerActor);
        int envSeed = unchecked(seed + actor * config.EnvsPerActor);
        envs.Reset(envSeed);
        using var worker = new ImpalaActor(actor, config, observationSpace, actionSpace, envs, unchecked((ulong)envSeed * 0x9E3779B97F4A7C15UL + 1));
        worker.Run(link, cancel, sent);
    }

    /// <summary>The policy version the actor acts with (−1 before it received any weights).</summary>
    public long Version => _version;

    /// <summary>
    /// Sends unrolls through <paramref name="link"/> until <paramref name="cancel"/> fires or the learner takes no more.
    /// <paramref name="sent"/> gets each unroll's env steps once it was handed over.
    /// </summary>
    public void Run(IActorLink<Unroll> link, CancellationToken cancel, Action<int>? sent = null)
    {
        while (!cancel.IsCancellationRequested)
        {
            if (link.NewerWeights(_version) is { } weights) Load(weights);
            if (_version < 0)
            {
                // No weights yet (a cluster actor that joined before the first broadcast): acting randomly would be off-policy noise.
                using (GcGate.Wait()) cancel.WaitHandle.WaitOne(50);
                continue;
            }
            var unroll = Collect(cancel);
            if (unroll is null) return;
            bool accepted;
            using (GcGate.Wait()) accepted = link.Send(unroll, cancel); // waiting for room is not tensor work
            if (!accepted) return;
            sent?.Invoke(unroll.EnvSteps);
            GcGate.SafePoint(); // between two unrolls no tensor call of this thread is in flight
        }
    }

    /// <summary>Loads published weights (the learner's parameters, flattened).</summary>
    public void Load(PolicyWeights weights)
    {
        ParameterVector.Write(_parameters, weights.Values);
        _version = weights.Version;
    }

    /// <summary>One unroll of the current policy, or null when cancelled before it was complete.</summary>
    public Unroll? Collect(CancellationToken cancel)
    {
        var c = _collector;
        float[]? initialH = null, initialC = null;
        if (c.CurrentState is ({ } h0, { } c0)) // the state the unroll starts from (the collector carries it across unrolls)
        {
            using var scope = NewDisposeScope();
            (initialH, initialC) = (h0.cpu().data<float>().ToArray(), c0.cpu().data<float>().ToArray());
        }
        _episodes.Clear();
        if (!c.Collect(() => cancel.IsCancellationRequested, (ret, len) => _episodes.Add((ret, len)), () => { })) return null;

        var b = c.Buffer;
        int rows = b.Size;
        var observations = new float[(b.NumSteps + 1) * b.NumEnvs * _observationSize];
        b.Observations.AsSpan(0, rows * _observationSize).CopyTo(observations);
        c.NextObservations.CopyTo(observations.AsSpan(rows * _observationSize));
        var starts = new bool[(b.NumSteps + 1) * b.NumEnvs];
        b.EpisodeStarts.AsSpan(0, rows).CopyTo(starts);
        c.NextStarts.CopyTo(starts.AsSpan(rows));
        var unroll = new Unroll(
            _id, _version, b.NumSteps, b.NumEnvs, observations, starts,
            b.Actions.AsSpan(0, rows * b.ActionSize).ToArray(),
            (float[])c.ActorOutputs!.Clone(),
            c.LogStd.ToArray(),
            b.Rewards.AsSpan(0, rows).ToArray(),
            b.Terminated.AsSpan(0, rows).ToArray(),
            b.Truncated.AsSpan(0, rows).ToArray(),
            b.TruncationValues.AsSpan(0, rows).ToArray(),
            b.ActionMasks?.AsSpan(0, rows * b.ActionMaskSize).ToArray(),
            initialH, initialC,
            _episodes.Select(e => e.Return).ToArray(),
            _episodes.Select(e => e.Length).ToArray());
        c.RolloutUsed();
        return unroll;
    }

    public void Dispose()
    {
        _collector.Dispose();
        _net.Dispose();
    }
}
