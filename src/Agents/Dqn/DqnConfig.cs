using DeepRL.Agents.Networks;

namespace DeepRL.Agents.Dqn;

/// <summary>
/// Every DQN hyperparameter with its default and meaning. Serialized as-is (snake_case) into a run's
/// <c>config.json</c>; per-environment defaults live in <c>Config/Defaults/dqn.json</c>.
/// </summary>
public sealed record DqnConfig
{
    /// <summary>Environment steps to train for (summed over parallel envs).</summary>
    public long TotalTimesteps { get; init; } = 100_000;

    /// <summary>Parallel environments collecting experience.</summary>
    public int NumEnvs { get; init; } = 1;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Linearly decay the learning rate to 0 over training.</summary>
    public bool AnnealLr { get; init; }

    /// <summary>Replay buffer capacity in transitions.</summary>
    public int BufferSize { get; init; } = 100_000;

    /// <summary>Keep replayed observations as tensors on the training device (--device) instead of host memory.</summary>
    public bool ReplayOnDevice { get; init; }

    /// <summary>Minibatch size of each gradient step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Discount factor γ.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>Target network update: 1 = hard copy every target_update_interval steps; &lt;1 = Polyak averaging factor.</summary>
    public double Tau { get; init; } = 1.0;

    /// <summary>Env steps between target network updates.</summary>
    public int TargetUpdateInterval { get; init; } = 1000;

    /// <summary>Env steps collected before learning starts.</summary>
    public int LearningStarts { get; init; } = 1000;

    /// <summary>Env steps between training phases.</summary>
    public int TrainFreq { get; init; } = 4;

    /// <summary>Gradient steps per training phase.</summary>
    public int GradientSteps { get; init; } = 1;

    /// <summary>ε at the start of training.</summary>
    public double ExplorationInitialEps { get; init; } = 1.0;

    /// <summary>ε after the decay.</summary>
    public double ExplorationFinalEps { get; init; } = 0.05;

    /// <summary>Fraction of training over which ε decays linearly.</summary>
    public double ExplorationFraction { get; init; } = 0.1;

    /// <summary>Global gradient-norm clip (0 disables).</summary>
    public double MaxGradNorm { get; init; } = 10;

    /// <summary>Double DQN: the online net picks the next action, the target net values it (van Hasselt et al. 2016).</summary>
    public bool DoubleDqn { get; init; } = true;

    /// <summary>Dueling value/advantage head.</summary>
    public bool Dueling { get; init; }

    /// <summary>Loss: huber (smooth L1, as in the Nature DQN) or mse.</summary>
    public string Loss { get; init; } = "huber";

    /// <summary>n-step returns (1 = plain TD).</summary>
    public int NSteps { get; init; } = 1;

    /// <summary>Prioritized experience replay.</summary>
    public bool Prioritized { get; init; }

    /// <summary>Priority exponent α.</summary>
    public double PerAlpha { get; init; } = 0.6;

    /// <summary>Initial importance-sampling exponent β₀ (annealed to 1).</summary>
    public double PerBeta0 { get; init; } = 0.4;

    /// <summary>Priority floor ε.</summary>
    public double PerEps { get; init; } = 1e-6;

    /// <summary>Feature extractor: auto, mlp or cnn.</summary>
    public PolicyKind Policy { get; init; } = PolicyKind.Auto;

    /// <summary>Hidden layer sizes (MLP) or the dense layers after the convolution (CNN).</summary>
    public int[] NetArch { get; init; } = [64, 64];

    /// <summary>Threads TorchSharp may use (small networks are fastest on one).</summary>
    public int TorchThreads { get; init; } = 1;

    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }
        Check(TotalTimesteps > 0, $"total_timesteps must be positive, got {TotalTimesteps}.");
        Check(NumEnvs >= 1, $"num_envs must be at least 1, got {NumEnvs}.");
        Check(LearningRate > 0, $"learning_rate must be positive, got {LearningRate}.");
        Check(BufferSize >= BatchSize, $"buffer_size ({BufferSize}) must be at least batch_size ({BatchSize}).");
        Check(BatchSize >= 1, $"batch_size must be at least 1, got {BatchSize}.");
        Check(Gamma is >= 0 and <= 1, $"gamma must be in [0, 1], got {Gamma}.");
        Check(Tau is > 0 and <= 1, $"tau must be in (0, 1], got {Tau}.");
        Check(TargetUpdateInterval >= 1, "target_update_interval must be at least 1.");
        Check(LearningStarts >= 0, "learning_starts must be ≥ 0.");
        Check(TrainFreq >= 1 && GradientSteps >= 1, "train_freq and gradient_steps must be at least 1.");
        Check(ExplorationFraction is > 0 and <= 1, $"exploration_fraction must be in (0, 1], got {ExplorationFraction}.");
        Check(ExplorationInitialEps is >= 0 and <= 1 && ExplorationFinalEps is >= 0 and <= 1, "exploration eps values must be in [0, 1].");
        Check(MaxGradNorm >= 0, "max_grad_norm must be ≥ 0.");
        Check(Loss is "huber" or "mse", $"loss must be huber or mse, got '{Loss}'.");
        Check(NSteps >= 1, "n_steps must be at least 1.");
        Check(PerAlpha >= 0 && PerBeta0 is >= 0 and <= 1 && PerEps > 0, "per_alpha ≥ 0, per_beta0 in [0, 1], per_eps > 0.");
        Check(NetArch.All(h => h > 0), "net_arch sizes must be positive.");
        Check(TorchThreads >= 1, "torch_threads must be at least 1.");
    }
}
