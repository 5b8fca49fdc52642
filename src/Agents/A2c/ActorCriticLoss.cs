using DeepRL.Agents.OnPolicy;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Torch;
using static TorchSharp.torch;

namespace DeepRL.Agents.A2c;

/// <summary>
/// The advantage actor-critic loss of A2C and A3C: policy gradient −log π(a|s)·A (A = R − V(s), held
/// constant), value loss ½(R − V(s))², and an entropy bonus:
/// <c>loss = pg − ent_coef · entropy + vf_coef · value_loss</c>.
/// </summary>
public static class ActorCriticLoss
{
    public sealed record Parts(Tensor Total, Tensor PolicyLoss, Tensor ValueLoss, Tensor Entropy);

    /// <summary>
    /// The loss on a collected rollout whose returns are computed, with gradients through <paramref name="net"/> (an
    /// LSTM replays the rollout from the state it started in); call in a dispose scope.
    /// </summary>
    public static Parts OnRollout(ActorCritic net, RolloutCollector collector, ActorCriticConfig c, Device device)
    {
        var buffer = collector.Buffer;
        var (obs, actions) = collector.BufferTensors();
        Tensor actor, value;
        if (net.IsRecurrent)
        {
            long[] timeMajor = [buffer.NumSteps, buffer.NumEnvs, .. obs.shape[1..]];
            var starts = collector.EpisodeStartsTensor().reshape(buffer.NumSteps, buffer.NumEnvs);
            var (h0, c0) = collector.InitialState;
            (actor, value) = net.Sequence(obs.reshape(timeMajor), starts, h0!, c0!);
        }
        else
        {
            (actor, value, _, _) = net.Step(obs, null, null, null);
        }
        return Compute(actor, value, actions, tensor(buffer.Returns).to(device), tensor(buffer.Advantages).to(device),
            net.LogStd, c, collector.ActionMasksTensor());
    }

    /// <param name="actorOutput">Logits [B, A] (Discrete) or Gaussian means [B, A] (Box).</param>
    /// <param name="values">V(s) [B], with gradient.</param>
    /// <param name="actions">Actions taken [B] (long) or [B, A] (float).</param>
    /// <param name="returns">n-step returns R [B].</param>
    /// <param name="advantages">R − V(s) [B], computed from the rollout's (gradient-free) values.</param>
    /// <param name="logStd">Gaussian log std (Box actions), or null for categorical policies.</param>
    /// <param name="c">Coefficients (ent_coef, vf_coef, norm_adv).</param>
    /// <param name="validActions">Action masks [B, A] (1 = valid) when the env masks actions: masked logits, entropy over valid actions.</param>
    public static Parts Compute(Tensor actorOutput, Tensor values, Tensor actions, Tensor returns, Tensor advantages, Tensor? logStd,
        ActorCriticConfig c, Tensor? validActions = null)
    {
        var (logProb, entropy) = PolicyDistribution.Evaluate(actorOutput, actions, logStd, validActions);
        var adv = advantages;
        if (c.NormAdv && adv.shape[0] > 1) adv = adv.sub(adv.mean()).div(adv.std().add(Scalars.Of(1e-8)));
        var policyLoss = logProb.mul(adv).mean().neg();
        var valueLoss = returns.sub(values).square().mean().mul(Scalars.Half);
        var entropyMean = entropy.mean();
        var total = policyLoss.sub(entropyMean.mul(Scalars.Of(c.EntCoef))).add(valueLoss.mul(Scalars.Of(c.VfCoef)));
        return new Parts(total, policyLoss, valueLoss, entropyMean);
    }
}
