namespace DeepRL.Agents.Impala;

/// <summary>
/// One batch of unrolls for V-trace, time-major: element [t, b] is at <c>t * Envs + b</c>. Log-probabilities are those
/// of the actions taken, under the policy that acted (behaviour) and the learner's current one (target). An unroll may
/// cross episode ends: <see cref="Terminated"/> (the value after it is 0) and <see cref="Truncated"/> (the value after it
/// is <see cref="FinalValues"/>, V of the episode's last observation, not of the next episode's first).
/// </summary>
public sealed record VTraceBatch(
    int Steps,
    int Envs,
    float[] BehaviourLogProbs,
    float[] TargetLogProbs,
    float[] Rewards,
    float[] Values,
    float[] BootstrapValues,
    bool[] Terminated,
    bool[] Truncated,
    float[] FinalValues);

/// <summary>V-trace targets and the policy-gradient advantages that go with them.</summary>
public sealed record VTraceTargets(float[] Vs, float[] PolicyAdvantages);

/// <summary>
/// V-trace (Espeholt et al. 2018, IMPALA, eq. 1 and §4.2): off-policy corrected value targets
/// v_s = V(x_s) + Σ_t γ^(t−s) (Π_{i&lt;t} c_i) δ_t, with δ_t = ρ_t (r_t + γ V(x_{t+1}) − V(x_t)), ρ_t = min(ρ̄, π/μ),
/// c_i = min(c̄, π/μ), computed backwards as v_s − V(x_s) = δ_s + γ c_s (v_{s+1} − V(x_{s+1})). The policy gradient
/// uses ρ_s (r_s + γ v_{s+1} − V(x_s)). With the behaviour policy equal to the target (ρ = c = 1) v_s is the n-step
/// return bootstrapped from V at the end of the unroll. The trace never crosses an episode's end.
/// </summary>
public static class VTrace
{
    public static VTraceTargets Compute(VTraceBatch batch, float gamma, float rhoBar = 1f, float cBar = 1f)
    {
        Check(batch, gamma, rhoBar, cBar);
        int steps = batch.Steps, envs = batch.Envs;
        var vs = new float[steps * envs];
        var advantages = new float[steps * envs];
        for (int b = 0; b < envs; b++)
        {
            float vsMinusVNext = 0f; // v_{t+1} − V(x_{t+1}); 0 after the unroll's last step
            for (int t = steps - 1; t >= 0; t--)
            {
                int i = t * envs + b;
                float ratio = MathF.Exp(batch.TargetLogProbs[i] - batch.BehaviourLogProbs[i]);
                float rho = MathF.Min(rhoBar, ratio), c = MathF.Min(cBar, ratio);
                bool ended = batch.Terminated[i] || batch.Truncated[i];

                // What follows step t: nothing (terminated), the episode's last observation (truncated), or the next step.
                float nextValue, nextVs;
                if (batch.Terminated[i]) nextValue = nextVs = 0f;
                else if (batch.Truncated[i]) nextValue = nextVs = batch.FinalValues[i];
                else
                {
                    nextValue = t == steps - 1 ? batch.BootstrapValues[b] : batch.Values[i + envs];
                    nextVs = nextValue + vsMinusVNext;
                }

                float value = batch.Values[i];
                float delta = rho * (batch.Rewards[i] + gamma * nextValue - value);
                float traced = ended ? 0f : gamma * c * vsMinusVNext;
                float vsMinusV = delta + traced;
                vs[i] = value + vsMinusV;
                advantages[i] = rho * (batch.Rewards[i] + gamma * nextVs - value);
                vsMinusVNext = vsMinusV;
            }
        }
        return new VTraceTargets(vs, advantages);
    }

    private static void Check(VTraceBatch batch, float gamma, float rhoBar, float cBar)
    {
        if (batch.Steps < 1 || batch.Envs < 1) throw new ArgumentException($"V-trace needs at least one step and one env, got {batch.Steps}×{batch.Envs}.");
        int n = batch.Steps * batch.Envs;
        (string Name, int Length)[] arrays =
        [
            ("behaviour log-probs", batch.BehaviourLogProbs.Length), ("target log-probs", batch.TargetLogProbs.Length),
            ("rewards", batch.Rewards.Length), ("values", batch.Values.Length), ("terminated", batch.Terminated.Length),
            ("truncated", batch.Truncated.Length), ("final values", batch.FinalValues.Length),
        ];
        foreach (var (name, length) in arrays)
            if (length != n) throw new ArgumentException($"V-trace {name} has {length} entries; {batch.Steps} steps × {batch.Envs} envs need {n}.");
        if (batch.BootstrapValues.Length != batch.Envs)
            throw new ArgumentException($"V-trace bootstrap values has {batch.BootstrapValues.Length} entries; it needs one per env ({batch.Envs}).");
        if (gamma is < 0f or > 1f) throw new ArgumentException($"gamma must be in [0, 1], got {gamma}.");
        if (rhoBar <= 0f || cBar <= 0f) throw new ArgumentException($"ρ̄ and c̄ must be positive, got {rhoBar} and {cBar}.");
    }
}
