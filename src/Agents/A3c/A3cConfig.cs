using DeepRL.Agents.A2c;

namespace DeepRL.Agents.A3c;

/// <summary>
/// A3C (Mnih et al. 2016): <see cref="Workers"/> actor-learner threads, each with its own envs and a local copy
/// of the network, apply gradients of <see cref="TMax"/>-step segments to one shared global network through a
/// shared optimizer.
/// </summary>
public sealed record A3cConfig : ActorCriticConfig
{
    /// <summary>Actor-learner threads (0 = one per core).</summary>
    public int Workers { get; init; }

    /// <summary>Environments per worker (1 in the paper).</summary>
    public int EnvsPerWorker { get; init; } = 1;

    /// <summary>Steps per segment: the n of the n-step returns, and how often a worker updates the global network.</summary>
    public int TMax { get; init; } = 5;

    /// <summary>
    /// Apply gradients without a lock (Hogwild, as the paper). Off by default: a short lock around the apply
    /// step measured as fast on 2–4 workers here (docs/benchmarks.md) and keeps the shared optimizer exact.
    /// </summary>
    public bool Hogwild { get; init; }

    /// <summary>The number of workers actually used (0 resolves to the core count).</summary>
    public int ResolvedWorkers => Workers > 0 ? Workers : Environment.ProcessorCount;

    public override void Validate()
    {
        base.Validate();
        Check(Workers >= 0 && Workers <= 256, $"workers must be between 0 (= cores) and 256, got {Workers}.");
        Check(EnvsPerWorker >= 1 && TMax >= 1, "envs_per_worker and t_max must be at least 1.");
    }
}
