using DeepRL.Agents.Training;

namespace DeepRL.Agents.A2c;

/// <summary>The scalars A2C and A3C log (TensorBoard), read once from an update's loss.</summary>
public sealed record ActorCriticMetrics(double Loss, double PolicyLoss, double ValueLoss, double Entropy)
{
    public static ActorCriticMetrics From(ActorCriticLoss.Parts loss) =>
        new(loss.Total.item<float>(), loss.PolicyLoss.item<float>(), loss.ValueLoss.item<float>(), loss.Entropy.item<float>());

    public void Log(MetricsLog metrics, double learningRate, long step)
    {
        metrics.Scalar("loss", Loss, step);
        metrics.Scalar("policy_loss", PolicyLoss, step);
        metrics.Scalar("value_loss", ValueLoss, step);
        metrics.Scalar("entropy", Entropy, step);
        metrics.Scalar("learning_rate", learningRate, step);
    }
}
