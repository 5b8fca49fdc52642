namespace DeepRL.Environments.Classic;

/// <summary>
/// One Euler step of Gymnasium's CartPole-v1, with its floating-point operations in Gymnasium's order
/// (<c>cartpole.py</c>, <c>step</c>), so trajectories match Gymnasium's float64 states bit for bit.
/// Python evaluates <c>a * b**2 * c</c> as <c>(a * (b*b)) * c</c> (<c>**</c> binds tighter than <c>*</c>,
/// and <c>b**2</c> is exactly <c>b*b</c>), which is why the squares are parenthesised below: writing
/// <c>a * b * b * c</c> instead rounds differently and the trajectories drift apart after ~200 steps.
/// Shared by <see cref="CartPole"/> and the struct-of-arrays <c>CartPoleVectorEnv</c>.
/// </summary>
public static class CartPoleDynamics
{
    /// <summary>Advances the state in place; returns true when the episode terminates (|x| or |θ| beyond its threshold).</summary>
    public static bool Step(ref double x, ref double xDot, ref double theta, ref double thetaDot, int action)
    {
        double force = action == 1 ? CartPole.ForceMag : -CartPole.ForceMag;
        double cosTheta = Math.Cos(theta);
        double sinTheta = Math.Sin(theta);
        double temp = (force + CartPole.PoleMassLength * (thetaDot * thetaDot) * sinTheta) / CartPole.TotalMass;
        double thetaAcc = (CartPole.Gravity * sinTheta - cosTheta * temp)
                          / (CartPole.HalfLength * (4.0 / 3.0 - CartPole.MassPole * (cosTheta * cosTheta) / CartPole.TotalMass));
        double xAcc = temp - CartPole.PoleMassLength * thetaAcc * cosTheta / CartPole.TotalMass;

        x += CartPole.Tau * xDot;
        xDot += CartPole.Tau * xAcc;
        theta += CartPole.Tau * thetaDot;
        thetaDot += CartPole.Tau * thetaAcc;

        return x < -CartPole.XThreshold || x > CartPole.XThreshold
               || theta < -CartPole.ThetaThresholdRadians || theta > CartPole.ThetaThresholdRadians;
    }
}
