using DeepRL.Agents.Torch;
using static TorchSharp.torch;

namespace DeepRL.Agents.Policies;

/// <summary>
/// The action distributions PPO uses, on tensors (for the loss) and on host arrays (for acting without
/// extra tensor work): categorical over logits, and a diagonal Gaussian with state-independent std.
/// </summary>
public static class PolicyDistribution
{
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>Log-probability [B] of <paramref name="actions"/> and entropy [B] under the actor output.</summary>
    public static (Tensor LogProb, Tensor Entropy) Evaluate(Tensor actorOutput, Tensor actions, Tensor? logStd)
    {
        if (logStd is null)
        {
            var logProbs = nn.functional.log_softmax(actorOutput, 1);
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

    /// <summary>Samples a categorical action from logits and returns it with its log-probability.</summary>
    public static int SampleCategorical(ReadOnlySpan<float> logits, Environments.Rng rng, out float logProb)
    {
        float max = float.NegativeInfinity;
        foreach (float l in logits) max = Math.Max(max, l);
        double sum = 0;
        foreach (float l in logits) sum += Math.Exp(l - max);
        double u = rng.NextDouble() * sum, acc = 0;
        int chosen = logits.Length - 1;
        for (int a = 0; a < logits.Length; a++)
        {
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
