using DeepRL.Agents.Policies;
using DeepRL.Agents.Networks;

namespace DeepRL.Agents.A2c;

/// <summary>
/// Hyperparameters A2C and A3C share (the advantage actor-critic of Mnih et al. 2016); each algorithm's record
/// adds how it collects experience. Defaults follow SB3's A2C (RMSProp α 0.99, ε 1e-5, lr 7e-4, 5-step returns).
/// </summary>
public abstract record ActorCriticConfig
{
    /// <summary>Environment steps to train for (summed over all envs and workers).</summary>
    public long TotalTimesteps { get; init; } = 100_000;

    /// <summary>Optimizer learning rate.</summary>
    public double LearningRate { get; init; } = 7e-4;

    /// <summary>Linearly decay the learning rate to 0 over training.</summary>
    public bool AnnealLr { get; init; }

    public double Gamma { get; init; } = 0.99;

    /// <summary>Entropy bonus coefficient (exploration).</summary>
    public double EntCoef { get; init; } = 0.01;

    /// <summary>Value loss coefficient.</summary>
    public double VfCoef { get; init; } = 0.5;

    /// <summary>Global gradient-norm clip (0 disables).</summary>
    public double MaxGradNorm { get; init; } = 0.5;

    /// <summary>
    /// rmsprop (default: PyTorch's RMSProp, ε outside the square root, as SB3's A2C uses by default and our tuned
    /// hyperparameters and benchmarks were measured with), rmsprop_tf (TensorFlow's: ε inside the square root and the
    /// statistics starting at ones, as the A3C paper and SB3's RMSpropTFLike) or adam.
    /// </summary>
    public string Optimizer { get; init; } = "rmsprop";

    /// <summary>RMSProp decay α.</summary>
    public double RmsAlpha { get; init; } = 0.99;

    /// <summary>RMSProp (or Adam) ε.</summary>
    public double OptimizerEps { get; init; } = 1e-5;

    /// <summary>Normalize advantages within each update (SB3's normalize_advantage).</summary>
    public bool NormAdv { get; init; }

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

    /// <summary>
    /// Whether the value loss trains the shared LSTM too (policy lstm). Off by default: only the policy gradient
    /// shapes the memory, as in SB3 RecurrentPPO's shared_lstm (the value loss otherwise saturates it).
    /// </summary>
    public bool CriticTrainsLstm { get; init; }

    /// <summary>Initial log standard deviation of the Gaussian policy (Box actions).</summary>
    public double LogStdInit { get; init; }

    public virtual void Validate()
    {
        Check(TotalTimesteps > 0, $"total_timesteps must be positive, got {TotalTimesteps}.");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), $"learning_rate must be a positive, finite number, got {LearningRate}.");
        Check(Gamma is >= 0 and <= 1, $"gamma must be in [0, 1], got {Gamma}.");
        Check(EntCoef >= 0 && VfCoef >= 0 && MaxGradNorm >= 0, "ent_coef, vf_coef and max_grad_norm must be ≥ 0.");
        Check(Optimizer is "rmsprop" or "rmsprop_tf" or "adam", $"optimizer must be rmsprop, rmsprop_tf or adam, got '{Optimizer}'.");
        Check(RmsAlpha is > 0 and < 1 && OptimizerEps > 0, "rms_alpha must be in (0, 1) and optimizer_eps positive.");
        Check(NetArch.All(h => h > 0) && LstmHidden > 0, "network sizes must be positive.");
        if (Policy == PolicyKind.Transformer) Transformer.Validate();
    }

    protected static void Check(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}
