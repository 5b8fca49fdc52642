using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DeepRL.Agents.Networks;

/// <summary>Which feature extractor a policy uses.</summary>
public enum PolicyKind
{
    /// <summary>Pick from the observation shape: CNN for C×H×W images, MLP otherwise.</summary>
    Auto,
    Mlp,
    Cnn,

    /// <summary>MLP or CNN torso (by observation shape) followed by an LSTM (PPO, A2C, A3C).</summary>
    Lstm,

    /// <summary>MLP or CNN torso (by observation shape) followed by gated causal self-attention over the episode's recent observations (PPO, A2C, A3C).</summary>
    Transformer,
}

/// <summary>Builds the torso networks shared by every agent.</summary>
public static class NetworkFactory
{
    public static PolicyKind Resolve(PolicyKind requested, int[] observationShape)
    {
        if (requested == PolicyKind.Cnn && observationShape.Length != 3)
            throw new ArgumentException($"policy cnn needs C×H×W image observations; this env's observations have shape [{string.Join(", ", observationShape)}]. Use policy mlp.");
        return requested != PolicyKind.Auto ? requested : observationShape.Length == 3 ? PolicyKind.Cnn : PolicyKind.Mlp;
    }

    /// <summary>The torso under a memory (lstm, transformer): CNN for images, MLP otherwise.</summary>
    public static PolicyKind TorsoOf(PolicyKind kind, int[] observationShape) =>
        kind is PolicyKind.Lstm or PolicyKind.Transformer ? (observationShape.Length == 3 ? PolicyKind.Cnn : PolicyKind.Mlp) : kind;

    /// <summary>Orthogonal weights with the given gain and zero biases (the PPO implementation details of Huang et al. 2022).</summary>
    public static void OrthogonalInit(Module module, double gain)
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) nn.init.constant_(p, 0);
            else if (p.dim() >= 2) nn.init.orthogonal_(p, gain);
        }
    }

    /// <summary>The convolution's padding: tiny grids are padded so the 3×3 kernel always fits.</summary>
    public static int ConvPadding(int[] observationShape) => observationShape[1] < 3 || observationShape[2] < 3 ? 1 : 0;

    /// <summary>
    /// Feature extractor and its output size. MLP: Linear+ReLU per hidden size over the flattened
    /// observation. CNN: the MinAtar network (Young &amp; Tian 2019) — one 3×3 convolution with 16 channels,
    /// ReLU, flatten, then a Linear+ReLU layer per hidden size (128 in the paper).
    /// </summary>
    public static (Module<Tensor, Tensor> Torso, int Features) Torso(PolicyKind kind, int[] observationShape, int[] hidden, bool tanh = false)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int width;
        if (kind == PolicyKind.Cnn)
        {
            Torch.NnpackSwitch.DisableWhereUnsupported();
            int c = observationShape[0], h = observationShape[1], w = observationShape[2];
            int pad = ConvPadding(observationShape);
            layers.Add(("conv", Conv2d(c, 16, 3, stride: 1, padding: pad)));
            layers.Add(("conv_relu", ReLU()));
            layers.Add(("flatten", Flatten()));
            width = 16 * (h - 2 + 2 * pad) * (w - 2 + 2 * pad);
        }
        else
        {
            layers.Add(("flatten", Flatten()));
            width = observationShape.Aggregate(1, (a, b) => a * b);
        }
        for (int i = 0; i < hidden.Length; i++)
        {
            layers.Add(($"fc{i}", Linear(width, hidden[i])));
            layers.Add(($"act{i}", tanh ? Tanh() : ReLU()));
            width = hidden[i];
        }
        return (Sequential(layers), width);
    }
}
