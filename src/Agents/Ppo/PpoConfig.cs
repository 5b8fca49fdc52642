using DeepRL.Agents.Policies;
using DeepRL.Agents.Networks;

namespace DeepRL.Agents.Ppo;

/// <summary>
/// Every PPO hyperparameter with its default and meaning (CleanRL's names where they exist). Serialized
/// as-is (snake_case) into a run's config.json; per-environment defaults live in <c>Config/Defaults/ppo.json</c>.
/// </summary>
public sealed record PpoConfig
{
    /// <summary>Environment steps to train for (summed over parallel envs).</summary>
    public long TotalTimesteps { get; init; } = 100_000;

    /// <summary>Parallel environments.</summary>
    public int NumEnvs { get; init; } = 8;

    /// <summary>Step the envs on worker threads (worth it for expensive envs).</summary>
    public bool ThreadedEnvs { get; init; }

    /// <summary>Steps per env per rollout.</summary>
    public int NumSteps { get; init; } = 128;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 2.5e-4;

    /// <summary>Linearly decay the learning rate to 0 over training.</summary>
    public bool AnnealLr { get; init; } = true;

    public double Gamma { get; init; } = 0.99;

    /// <summary>GAE λ.</summary>
    public double GaeLambda { get; init; } = 0.95;

    /// <summary>Minibatches per epoch (recurrent: env groups per epoch).</summary>
    public int NumMinibatches { get; init; } = 4;

    /// <summary>Optimization epochs over each rollout.</summary>
    public int UpdateEpochs { get; init; } = 4;

    /// <summary>Normalize advantages within each minibatch.</summary>
    public bool NormAdv { get; init; } = true;

    /// <summary>Surrogate clipping coefficient ε.</summary>
    public double ClipCoef { get; init; } = 0.2;

    /// <summary>Linearly decay the clipping coefficient with the learning rate schedule.</summary>
    public bool AnnealClip { get; init; }

    /// <summary>Clip the value loss around the old values.</summary>
    public bool ClipVloss { get; init; } = true;

    /// <summary>Entropy bonus coefficient.</summary>
    public double EntCoef { get; init; } = 0.01;

    /// <summary>Value loss coefficient.</summary>
    public double VfCoef { get; init; } = 0.5;

    /// <summary>Global gradient-norm clip.</summary>
    public double MaxGradNorm { get; init; } = 0.5;

    /// <summary>Stop the epochs early once approx-KL exceeds this (0 disables).</summary>
    public double TargetKl { get; init; }

    /// <summary>Network: auto, mlp, cnn, lstm or transformer.</summary>
    public PolicyKind Policy { get; init; } = PolicyKind.Auto;

    /// <summary>Hidden sizes of the torso (MLP) or the dense layers after the convolution (CNN).</summary>
    public int[] NetArch { get; init; } = [64, 64];

    /// <summary>One torso for actor and critic (true) or separate ones (false; MLP only).</summary>
    public bool SharedTorso { get; init; }

    /// <summary>LSTM hidden size (policy lstm).</summary>
    public int LstmHidden { get; init; } = 128;

    /// <summary>Past observations of the episode the transformer attends to besides the current one (policy transformer).</summary>
    public int ContextLength { get; init; } = 16;

    /// <summary>Transformer blocks (policy transformer).</summary>
    public int TransformerLayers { get; init; } = 1;

    /// <summary>Attention heads per block (policy transformer).</summary>
    public int TransformerHeads { get; init; } = 2;

    /// <summary>Embedding width d_model (policy transformer); a multiple of transformer_heads.</summary>
    public int TransformerDim { get; init; } = 64;

    /// <summary>The transformer's shape from the hyperparameters above.</summary>
    public TransformerSettings Transformer => new(ContextLength, TransformerLayers, TransformerHeads, TransformerDim);

    /// <summary>Initial log standard deviation of the Gaussian policy (Box actions).</summary>
    public double LogStdInit { get; init; }

    public int TorchThreads { get; init; } = 1;

    public int BatchSize => NumEnvs * NumSteps;

    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }
        Check(TotalTimesteps > 0, $"total_timesteps must be positive, got {TotalTimesteps}.");
        Check(NumEnvs >= 1 && NumSteps >= 1, "num_envs and num_steps must be at least 1.");
        Check(LearningRate > 0, "learning_rate must be positive.");
        Check(Gamma is >= 0 and <= 1 && GaeLambda is >= 0 and <= 1, "gamma and gae_lambda must be in [0, 1].");
        Check(NumMinibatches >= 1 && UpdateEpochs >= 1, "num_minibatches and update_epochs must be at least 1.");
        bool recurrent = Policy is PolicyKind.Lstm or PolicyKind.Transformer;
        Check(recurrent ? NumMinibatches <= NumEnvs : NumMinibatches <= BatchSize,
            $"num_minibatches ({NumMinibatches}) must not exceed {(recurrent ? "num_envs (recurrent minibatches split envs)" : "num_envs × num_steps")}.");
        Check(ClipCoef > 0, "clip_coef must be positive.");
        Check(EntCoef >= 0 && VfCoef >= 0 && MaxGradNorm >= 0 && TargetKl >= 0, "ent_coef, vf_coef, max_grad_norm, target_kl must be ≥ 0.");
        Check(NetArch.All(h => h > 0) && LstmHidden > 0, "network sizes must be positive.");
        if (Policy == PolicyKind.Transformer) Transformer.Validate();
        Check(TorchThreads >= 1, "torch_threads must be at least 1.");
    }
}
