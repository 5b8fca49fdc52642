using DeepRL.Agents.A2c;

namespace DeepRL.Agents.Impala;

/// <summary>
/// IMPALA (Espeholt et al. 2018): <see cref="Actors"/> actors, each stepping <see cref="EnvsPerActor"/> envs with its own
/// CPU copy of the policy, send unrolls of <see cref="UnrollLength"/> steps to one learner, which trains on
/// <see cref="BatchSize"/> unrolls at a time with V-trace targets (ρ̄ <see cref="RhoBar"/>, c̄ <see cref="CBar"/>) and
/// publishes its weights after every update. The network, optimizer and loss coefficients are the actor-critic's; the
/// optimizer is the paper's RMSProp (decay 0.99, lr 6e-4, gradient clip 40) with ε 1e-5 rather than its 0.01: the paper
/// sums the losses over the batch, ours are means, whose gradients are batch-size times smaller — against ε 0.01 they
/// barely moved the weights (MinAtar Breakout stayed at random play for 1M steps; with 1e-5 it learned).
/// </summary>
public sealed record ImpalaConfig : ActorCriticConfig
{
    public ImpalaConfig()
    {
        // The paper's settings where they differ from A2C's (SB3) defaults.
        MaxGradNorm = 40;
        LearningRate = 6e-4;
    }

    /// <summary>Actor threads in the learner's process (0 = none: every actor runs on cluster nodes, --cluster).</summary>
    public int Actors { get; init; } = 2;

    /// <summary>Environments each actor steps (a vector env).</summary>
    public int EnvsPerActor { get; init; } = 8;

    /// <summary>Steps per unroll (the n of the V-trace targets).</summary>
    public int UnrollLength { get; init; } = 20;

    /// <summary>Unrolls per learner update.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Unrolls the queue between actors and learner holds at most (0 = 2 × batch_size); full → actors wait.</summary>
    public int QueueCapacity { get; init; }

    /// <summary>V-trace ρ̄: clips the importance weight of the TD error (which fixed point the value converges to).</summary>
    public double RhoBar { get; init; } = 1.0;

    /// <summary>V-trace c̄: clips the trace (how fast the off-policy correction contracts).</summary>
    public double CBar { get; init; } = 1.0;

    /// <summary>Actors started on each cluster node (deeprl train --cluster; --actors-per-node).</summary>
    public int ActorsPerNode { get; init; } = 2;

    /// <summary>Intra-op threads of the learner's tensor library (the actors are the other parallelism).</summary>
    public int TorchThreads { get; init; } = 1;

    public int ResolvedQueueCapacity => QueueCapacity > 0 ? QueueCapacity : 2 * BatchSize;

    public override void Validate()
    {
        base.Validate();
        Check(Actors is >= 0 and <= 256, $"actors must be between 0 (only cluster actors) and 256, got {Actors}.");
        Check(ActorsPerNode is >= 1 and <= 256, $"actors_per_node must be between 1 and 256, got {ActorsPerNode}.");
        Check(EnvsPerActor >= 1 && UnrollLength >= 1 && BatchSize >= 1, "envs_per_actor, unroll_length and batch_size must be at least 1.");
        Check(QueueCapacity >= 0, $"queue_capacity must be ≥ 0 (0 = 2 × batch_size), got {QueueCapacity}.");
        Check(RhoBar > 0 && CBar > 0 && double.IsFinite(RhoBar) && double.IsFinite(CBar), $"rho_bar and c_bar must be positive, got {RhoBar} and {CBar}.");
        Check(TorchThreads >= 1, "torch_threads must be at least 1.");
    }
}
