namespace DeepRL.Agents.A2c;

/// <summary>
/// A2C: the synchronous, batched advantage actor-critic. One learner steps <see cref="NumEnvs"/> envs for
/// <see cref="NumSteps"/> steps, then makes one update from all of them.
/// </summary>
public sealed record A2cConfig : ActorCriticConfig
{
    /// <summary>Parallel environments.</summary>
    public int NumEnvs { get; init; } = 8;

    /// <summary>Steps per env before each update (the n of the n-step returns).</summary>
    public int NumSteps { get; init; } = 5;

    public int TorchThreads { get; init; } = 1;

    public override void Validate()
    {
        base.Validate();
        Check(NumEnvs >= 1 && NumSteps >= 1, "num_envs and num_steps must be at least 1.");
        Check(TorchThreads >= 1, "torch_threads must be at least 1.");
    }
}
