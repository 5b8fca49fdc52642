using DeepRL.Agents.Torch;
using static TorchSharp.torch;

namespace DeepRL.Agents.Policies;

/// <summary>
/// The action distributions PPO uses, on tensors (for the loss) and on host arrays (for acting without
/// extra tensor work): categorical over logits, and a diagonal Gaussian with state-independent std.
/// With an action mask, invalid actions get zero probability and the entropy is over the valid ones.
/// </summary>
public static class PolicyDistribution
{
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    // A large finite penalty rather than −∞: softmax still gives exactly 0, and p·log p stays 0 instead of NaN.
    private const double MaskedLogit = -1e9;

    /// <summary>
    /// Log-probability [B] of <paramref name="actions"/> and entropy [B] under the actor output;
    /// <paramref name="validActions"/> [B, A] (1 = valid, 0 = masked) restricts a categorical policy.
    /// </summary>
    public static (Tensor LogProb, Tensor Entropy) Evaluate(Tensor actorOutput, Tensor actions, Tensor? logStd, Tensor? validActions = null)
    {
        if (logStd is null)
        {
            var logits = validActions is null ? actorOutput : actorOutput.add(validActions.sub(Scalars.One).mul(Scalars.Of(-MaskedLogit)));
            var logProbs = nn.functional.log_softmax(logits, 1);
            var logProb = logProbs.gather(1, actions.unsqueeze(1)).squeeze(1);
            var entropy = -(logProbs.exp() * logProbs).sum(1);
            return (logProb, entropy);
        }
        var std = logStd.exp();
        var z = (actions - actorOutput) / std;
        var lp = z.square().mul(Scalars.Of(-0.5)).sub(logStd).sub(Scalars.Of(HalfLog2Pi)).sum(1);
        var ent = logStd.add(Scalars.Of(0.5 + HalfLog2Pi)).sum().expand(actorOutput.shape[0]);
        return (lp, ent);
    }

    /// <summary>
    /// Samples a categorical action from logits and returns it with its log-probability; with a mask
    /// (<paramref name="validActions"/> non-empty with at least one valid action) only among valid actions.
    /// </summary>
    public static int SampleCategorical(ReadOnlySpan<float> logits, Environments.Rng rng, out float logProb, ReadOnlySpan<bool> validActions = default)
    {
        if (!validActions.IsEmpty && Environments.ActionMask.NoneValid(validActions)) validActions = default;
        float max = float.NegativeInfinity;
        for (int a = 0; a < logits.Length; a++) if (Valid(validActions, a)) max = Math.Max(max, logits[a]);
        double sum = 0;
        for (int a = 0; a < logits.Length; a++) if (Valid(validActions, a)) sum += Math.Exp(logits[a] - max);
        double u = rng.NextDouble() * sum, acc = 0;
        int chosen = LastValid(validActions, logits.Length);
        for (int a = 0; a < logits.Length; a++)
        {
            if (!Valid(validActions, a)) continue;
            acc += Math.Exp(logits[a] - max);
            if (u < acc)
            {
                chosen = a;
                break;
            }
        }
        logProb = (float)(logits[chosen] - max - Math.Log(sum));
        return chosen;
    }

    /// <summary>The highest-scoring valid action (any action when the mask is empty or marks none valid).</summary>
    public static int Argmax(ReadOnlySpan<float> scores, ReadOnlySpan<bool> validActions)
    {
        if (!validActions.IsEmpty && Environments.ActionMask.NoneValid(validActions)) validActions = default;
        int best = -1;
        for (int a = 0; a < scores.Length; a++)
        {
            if (Valid(validActions, a) && (best < 0 || scores[a] > scores[best])) best = a;
        }
        return best;
    }

    /// <summary>Host action masks (rows × <paramref name="actions"/>) as the [rows, A] 1/0 tensor <see cref="Evaluate"/> takes.</summary>
    public static Tensor MaskTensor(bool[] masks, int actions, Device device)
    {
        var flags = new float[masks.Length];
        for (int k = 0; k < masks.Length; k++) flags[k] = masks[k] ? 1f : 0f;
        return tensor(flags).reshape(masks.Length / actions, actions).to(device);
    }

    private static bool Valid(ReadOnlySpan<bool> validActions, int a) => validActions.IsEmpty || validActions[a];

    private static int LastValid(ReadOnlySpan<bool> validActions, int actions)
    {
        for (int a = actions - 1; a > 0; a--) if (Valid(validActions, a)) return a;
        return 0;
    }

    /// <summary>
    /// Log-probability of <paramref name="action"/> under a categorical over <paramref name="logits"/>, restricted to the
    /// valid actions as <see cref="SampleCategorical"/> samples (no mask, or a mask with none valid, means all actions).
    /// </summary>
    public static float CategoricalLogProb(ReadOnlySpan<float> logits, int action, ReadOnlySpan<bool> validActions = default)
    {
        if (!validActions.IsEmpty && Environments.ActionMask.NoneValid(validActions)) validActions = default;
        float max = float.NegativeInfinity;
        for (int a = 0; a < logits.Length; a++) if (Valid(validActions, a)) max = Math.Max(max, logits[a]);
        double sum = 0;
        for (int a = 0; a < logits.Length; a++) if (Valid(validActions, a)) sum += Math.Exp(logits[a] - max);
        return (float)(logits[action] - max - Math.Log(sum));
    }

    /// <summary>Log-probability of <paramref name="action"/> under the diagonal Gaussian (mean, log std) that <see cref="SampleGaussian"/> samples.</summary>
    public static float GaussianLogProb(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, ReadOnlySpan<float> action)
    {
        double lp = 0;
        for (int k = 0; k < mean.Length; k++)
        {
            double z = (action[k] - mean[k]) / Math.Exp(logStd[k]);
            lp += -0.5 * z * z - logStd[k] - HalfLog2Pi;
        }
        return (float)lp;
    }

    /// <summary>Samples a Gaussian action into <paramref name="action"/> and returns its log-probability.</summary>
    public static float SampleGaussian(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, Environments.Rng rng, Span<float> action)
    {
        double lp = 0;
        for (int k = 0; k < mean.Length; k++)
        {
            double z = rng.NextGaussian();
            action[k] = (float)(mean[k] + Math.Exp(logStd[k]) * z);
            lp += -0.5 * z * z - logStd[k] - HalfLog2Pi;
        }
        return (float)lp;
    }
}
