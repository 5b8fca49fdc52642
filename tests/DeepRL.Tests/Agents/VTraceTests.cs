using DeepRL.Agents.Impala;

namespace DeepRL.Tests.Agents;

/// <summary>V-trace targets against hand-computed unrolls and against n-step returns when the policies agree.</summary>
[Category("Fast")]
public class VTraceTests
{
    private static VTraceBatch Batch(int steps, int envs, float[] behaviour, float[] target, float[] rewards, float[] values, float[] bootstrap,
        bool[]? terminated = null, bool[]? truncated = null, float[]? finalValues = null) =>
        new(steps, envs, behaviour, target, rewards, values, bootstrap,
            terminated ?? new bool[steps * envs], truncated ?? new bool[steps * envs], finalValues ?? new float[steps * envs]);

    [Test]
    public void Clipped_importance_weights_by_hand()
    {
        // Two steps, one env, γ = 0.9, ρ̄ = 1, c̄ = 0.5. Step 0: π/μ = 2 → ρ = 1, c = 0.5. Step 1: π/μ = 0.25 → ρ = c = 0.25.
        float ln2 = MathF.Log(2f), ln025 = MathF.Log(0.25f);
        var batch = Batch(2, 1, behaviour: [0f, 0f], target: [ln2, ln025], rewards: [1f, 2f], values: [0.5f, 1.5f], bootstrap: [3f]);
        var r = VTrace.Compute(batch, gamma: 0.9f, rhoBar: 1f, cBar: 0.5f);
        // δ1 = 0.25 (2 + 0.9·3 − 1.5) = 0.8; v1 = 1.5 + 0.8 = 2.3
        // δ0 = 1 (1 + 0.9·1.5 − 0.5) = 1.85; v0 = 0.5 + 1.85 + 0.9·0.5·0.8 = 2.71
        Assert.That(r.Vs, Is.EqualTo(new[] { 2.71f, 2.3f }).Within(1e-5f));
        // advantages: ρ (r + γ v_next − V): step 1 bootstraps from V(x_T) = 3, step 0 from v1.
        Assert.That(r.PolicyAdvantages, Is.EqualTo(new[] { 1f * (1f + 0.9f * 2.3f - 0.5f), 0.25f * (2f + 0.9f * 3f - 1.5f) }).Within(1e-5f));
    }

    [Test]
    public void Truncation_bootstraps_from_the_final_observation_termination_from_zero_and_the_trace_stops_there()
    {
        // One env, three steps; the episode ends after step 1; step 2 belongs to the next episode. On-policy, γ = 0.5.
        float[] rewards = [1f, 1f, 1f], values = [2f, 4f, 8f], bootstrap = [16f], final = [0f, 10f, 0f];
        var truncated = VTrace.Compute(Batch(3, 1, new float[3], new float[3], rewards, values, bootstrap,
            truncated: [false, true, false], finalValues: final), gamma: 0.5f);
        var terminated = VTrace.Compute(Batch(3, 1, new float[3], new float[3], rewards, values, bootstrap,
            terminated: [false, true, false], finalValues: final), gamma: 0.5f);

        Assert.That(truncated.Vs[2], Is.EqualTo(1f + 0.5f * 16f), "the next episode bootstraps from V(x_T)");
        Assert.That(truncated.Vs[1], Is.EqualTo(1f + 0.5f * 10f), "truncated: bootstrap from V(final observation), not V(next episode's start) = 8");
        Assert.That(terminated.Vs[1], Is.EqualTo(1f), "terminated: nothing after");
        Assert.That(truncated.Vs[0], Is.EqualTo(1f + 0.5f * truncated.Vs[1]));
        Assert.That(terminated.Vs[0], Is.EqualTo(1f + 0.5f * 1f));
        Assert.That(truncated.PolicyAdvantages[1], Is.EqualTo(1f + 0.5f * 10f - 4f));
        Assert.That(terminated.PolicyAdvantages[1], Is.EqualTo(1f - 4f));
        // The step after the boundary never reaches back: changing the next episode's value leaves the first episode's targets alone.
        var changed = VTrace.Compute(Batch(3, 1, new float[3], new float[3], rewards, [2f, 4f, 80f], bootstrap,
            truncated: [false, true, false], finalValues: final), gamma: 0.5f);
        Assert.That(changed.Vs[..2], Is.EqualTo(truncated.Vs[..2]));
    }

    [Test]
    public void With_the_behaviour_policy_as_target_the_targets_are_n_step_returns()
    {
        const int steps = 9, envs = 4;
        const float gamma = 0.97f;
        var random = new Random(5);
        float[] R(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        float[] logp = R(steps * envs, 3f), rewards = R(steps * envs, 1f), values = R(steps * envs, 5f), bootstrap = R(envs, 5f), final = R(steps * envs, 5f);
        bool[] terminated = new bool[steps * envs], truncated = new bool[steps * envs];
        for (int i = 0; i < steps * envs; i++)
        {
            double u = random.NextDouble();
            terminated[i] = u < 0.12;
            truncated[i] = u is >= 0.12 and < 0.2;
        }
        var r = VTrace.Compute(Batch(steps, envs, logp, logp, rewards, values, bootstrap, terminated, truncated, final), gamma, rhoBar: 1f, cBar: 1f);

        for (int b = 0; b < envs; b++)
        {
            float next = bootstrap[b]; // the return of what follows step t
            for (int t = steps - 1; t >= 0; t--)
            {
                int i = t * envs + b;
                float g = rewards[i] + gamma * (terminated[i] ? 0f : truncated[i] ? final[i] : next);
                Assert.That(r.Vs[i], Is.EqualTo(g).Within(1e-4f), $"v[{t},{b}]");
                Assert.That(r.PolicyAdvantages[i], Is.EqualTo(g - values[i]).Within(1e-4f), $"advantage[{t},{b}]");
                next = g;
            }
        }
    }

    [Test]
    public void Inputs_of_the_wrong_shape_are_refused_by_name()
    {
        var ok = Batch(2, 1, [0f, 0f], [0f, 0f], [1f, 1f], [0f, 0f], [0f]);
        Assert.That(() => VTrace.Compute(ok with { Rewards = [1f] }, 0.9f), Throws.ArgumentException.With.Message.Contains("rewards has 1 entries; 2 steps × 1 envs need 2"));
        Assert.That(() => VTrace.Compute(ok with { BootstrapValues = [] }, 0.9f), Throws.ArgumentException.With.Message.Contains("one per env"));
        Assert.That(() => VTrace.Compute(ok, 1.5f), Throws.ArgumentException.With.Message.Contains("gamma"));
    }
}
