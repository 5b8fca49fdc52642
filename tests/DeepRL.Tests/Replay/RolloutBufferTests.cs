using DeepRL.Environments;
using DeepRL.Replay.Rollout;

namespace DeepRL.Tests.Replay;

[Category("Fast")]

public class RolloutBufferTests
{
    private const float Gamma = 0.9f, Lambda = 0.8f;

    private static RolloutBuffer OneEnv(float[] rewards, float[] values, bool[] terminated, bool[] truncated)
    {
        var b = new RolloutBuffer(rewards.Length, 1, 1, 1);
        for (int t = 0; t < rewards.Length; t++)
            b.Add([t], [0], [0], [values[t]], [rewards[t]], [terminated[t]], [truncated[t]], [t == 0]);
        return b;
    }

    [Test]
    public void Buffers_too_large_to_allocate_say_what_to_lower_instead_of_overflowing()
    {
        // PPO's default rollout (128 steps × 8 envs) of a 2000×2000 map's 3-channel image: 12.3 billion floats.
        var ex = Assert.Throws<ArgumentException>(() => new RolloutBuffer(128, 8, 3 * 2000 * 2000, 1));
        Assert.That(ex!.Message, Does.StartWith("A rollout of 128 steps × 8 envs × 12,000,000 observation values needs 12,288,000,000 values, more than one array can hold")
            .And.EndWith("lower num_steps or num_envs, or use a smaller observation."));
        var replay = Assert.Throws<ArgumentException>(() => new DeepRL.Replay.ReplayBuffer(1_000_000, new DeepRL.Environments.Spaces.Box([3, 2000, 2000], 0f, 1f)));
        Assert.That(replay!.Message, Does.StartWith("Replay storage of 1,000,000 observations × 12,000,000 values").And.Contain("lower buffer_size"));
        // Within one array but beyond the memory the process may use: refused before allocating, naming both sizes.
        var memory = Assert.Throws<ArgumentException>(() =>
            DeepRL.Replay.AllocationLimit.Check("A rollout", 300L << 20, sizeof(float), "lower num_steps", availableBytes: 1L << 30));
        Assert.That(memory!.Message, Is.EqualTo("A rollout needs 1.2 GiB, more than the 1.0 GiB of memory available; lower num_steps."));
        Assert.DoesNotThrow(() => DeepRL.Replay.AllocationLimit.Check("A rollout", 200L << 20, sizeof(float), "lower num_steps", availableBytes: 1L << 30));
    }

    [Test]
    public void Gae_matches_hand_computation_without_episode_ends()
    {
        var b = OneEnv([1, 2, 3], [0.5f, 1.0f, 1.5f], [false, false, false], [false, false, false]);
        b.ComputeReturnsAndAdvantages([2.0f], Gamma, Lambda);
        // δ2 = 3 + 0.9·2 − 1.5 = 3.3;  A2 = 3.3
        // δ1 = 2 + 0.9·1.5 − 1.0 = 2.35; A1 = 2.35 + 0.72·3.3 = 4.726
        // δ0 = 1 + 0.9·1.0 − 0.5 = 1.4;  A0 = 1.4 + 0.72·4.726 = 4.80272
        Assert.That(b.Advantages, Is.EqualTo(new[] { 4.80272f, 4.726f, 3.3f }).Within(1e-4f));
        Assert.That(b.Returns, Is.EqualTo(new[] { 5.30272f, 5.726f, 4.8f }).Within(1e-4f));
    }

    [Test]
    public void Termination_stops_bootstrapping_and_the_recursion()
    {
        var b = OneEnv([1, 2, 3], [0.5f, 1.0f, 1.5f], [false, true, false], [false, false, false]);
        b.ComputeReturnsAndAdvantages([2.0f], Gamma, Lambda);
        // A2 = 3 + 0.9·2 − 1.5 = 3.3 (a new episode started at t = 2)
        // A1 = 2 − 1.0 = 1.0 (terminal: no V(s2), no A2)
        // A0 = (1 + 0.9·1.0 − 0.5) + 0.72·1.0 = 2.12
        Assert.That(b.Advantages, Is.EqualTo(new[] { 2.12f, 1.0f, 3.3f }).Within(1e-5f));
    }

    [Test]
    public void Truncation_bootstraps_from_the_final_observation_value()
    {
        var b = OneEnv([1, 2, 3], [0.5f, 1.0f, 1.5f], [false, false, false], [false, true, false]);
        b.Clear();
        // Re-add so SetTruncationValue applies to the truncated step (t = 1).
        b.Add([0], [0], [0], [0.5f], [1], [false], [false], [true]);
        b.Add([1], [0], [0], [1.0f], [2], [false], [true], [false]);
        b.SetTruncationValue(0, 10f);
        b.Add([2], [0], [0], [1.5f], [3], [false], [false], [true]);
        b.ComputeReturnsAndAdvantages([2.0f], Gamma, Lambda);
        // A1 = 2 + 0.9·10 − 1.0 = 10 (bootstrap from V(final) = 10, not from V(s2) of the next episode)
        // A0 = (1 + 0.9·1.0 − 0.5) + 0.72·10 = 8.6
        Assert.That(b.Advantages, Is.EqualTo(new[] { 8.6f, 10f, 3.3f }).Within(1e-4f));
    }

    [Test]
    public void Last_value_is_ignored_when_the_last_step_ended_the_episode()
    {
        var b = OneEnv([1], [0.5f], [true], [false]);
        b.ComputeReturnsAndAdvantages([100f], Gamma, Lambda);
        Assert.That(b.Advantages[0], Is.EqualTo(0.5f));
    }

    [Test]
    public void Envs_are_independent_in_the_time_major_layout()
    {
        var b = new RolloutBuffer(2, 2, 1, 1);
        b.Add([0, 0], [0, 0], [0, 0], [0, 0], [1, 10], [false, true], [false, false], [true, true]);
        b.Add([0, 0], [0, 0], [0, 0], [0, 0], [1, 10], [false, false], [false, false], [false, true]);
        b.ComputeReturnsAndAdvantages([0, 0], 1f, 1f);
        // env 0: returns 2, 1; env 1: episode ended at t0 → 10, then 10.
        Assert.That(b.Returns, Is.EqualTo(new[] { 2f, 10f, 1f, 10f }));
    }

    [Test]
    public void Minibatches_cover_every_index_once_per_epoch()
    {
        var b = new RolloutBuffer(8, 4, 1, 1);
        var seen = b.Minibatches(5, new Rng(1)).SelectMany(x => x).ToList();
        Assert.That(seen, Is.EquivalentTo(Enumerable.Range(0, 32)));
        Assert.That(b.Minibatches(5, new Rng(1)).Select(m => m.Length), Is.EqualTo(new[] { 5, 5, 5, 5, 5, 5, 2 }));
    }

    [Test]
    public void Recurrent_minibatches_are_whole_env_columns()
    {
        var b = new RolloutBuffer(8, 6, 1, 1);
        var groups = b.EnvMinibatches(2, new Rng(2)).ToList();
        Assert.That(groups, Has.Count.EqualTo(3));
        Assert.That(groups.SelectMany(g => g), Is.EquivalentTo(Enumerable.Range(0, 6)));
    }

    [Test]
    public void Adding_past_the_end_is_an_error()
    {
        var b = new RolloutBuffer(1, 1, 1, 1);
        b.Add([0], [0], [0], [0], [0], [false], [false], [true]);
        Assert.Throws<InvalidOperationException>(() => b.Add([0], [0], [0], [0], [0], [false], [false], [false]));
    }

    [Test]
    public void N_step_returns_bootstrap_from_the_last_value_without_episode_ends()
    {
        var b = OneEnv([1, 2, 3], [0.5f, 1.0f, 1.5f], [false, false, false], [false, false, false]);
        b.ComputeNStepReturns([2.0f], Gamma);
        // R2 = 3 + 0.9·2 = 4.8;  R1 = 2 + 0.9·4.8 = 6.32;  R0 = 1 + 0.9·6.32 = 6.688
        Assert.That(b.Returns, Is.EqualTo(new[] { 6.688f, 6.32f, 4.8f }).Within(1e-5f));
        Assert.That(b.Advantages, Is.EqualTo(new[] { 6.188f, 5.32f, 3.3f }).Within(1e-5f));
    }

    [Test]
    public void N_step_returns_stop_at_a_termination()
    {
        var b = OneEnv([1, 2, 3], [0.5f, 1.0f, 1.5f], [false, true, false], [false, false, false]);
        b.ComputeNStepReturns([2.0f], Gamma);
        // R2 = 3 + 0.9·2 = 4.8 (new episode);  R1 = 2 (terminal: nothing after);  R0 = 1 + 0.9·2 = 2.8
        Assert.That(b.Returns, Is.EqualTo(new[] { 2.8f, 2.0f, 4.8f }).Within(1e-5f));
    }

    [Test]
    public void N_step_returns_bootstrap_a_truncation_from_the_final_observation_value()
    {
        var b = new RolloutBuffer(3, 1, 1, 1);
        b.Add([0], [0], [0], [0.5f], [1], [false], [false], [true]);
        b.Add([1], [0], [0], [1.0f], [2], [false], [true], [false]);
        b.SetTruncationValue(0, 10f); // V(final observation of the truncated episode)
        b.Add([2], [0], [0], [1.5f], [3], [false], [false], [true]);
        b.ComputeNStepReturns([2.0f], Gamma);
        // R2 = 3 + 0.9·2 = 4.8;  R1 = 2 + 0.9·10 = 11 (not R2: another episode);  R0 = 1 + 0.9·11 = 10.9
        Assert.That(b.Returns, Is.EqualTo(new[] { 10.9f, 11f, 4.8f }).Within(1e-5f));
    }
}
