using DeepRL.Agents.Policies;
using DeepRL.Environments;
using DeepRL.Environments.Board;
using DeepRL.Environments.Evaluation;
using DeepRL.Environments.Wrappers;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

/// <summary>
/// Action masking end to end on TicTacToe-v0, whose default mode throws on an occupied cell: a training run that
/// completes is itself the proof that no invalid action was chosen (the step counter shows how many were checked).
/// </summary>
[Category("Learning")]
public class ActionMaskingTests
{
    /// <summary>Counts every step that reaches the strict env (thread-safe: A3C steps from several workers).</summary>
    private sealed class CountingEnv(IEnvironment inner) : Wrapper(inner)
    {
        public static long Steps;

        public override StepResult Step(EnvAction action)
        {
            Interlocked.Increment(ref Steps);
            return Inner.Step(action);
        }
    }

    [TestCase("ppo", 20_000)]
    [TestCase("a2c", 20_000)]
    [TestCase("a3c", 20_000)]
    [TestCase("impala", 20_000)]
    [TestCase("dqn", 12_000)]
    public void Training_and_evaluation_never_take_a_masked_action(string algo, int steps)
    {
        Interlocked.Exchange(ref CountingEnv.Steps, 0);
        var hyperparameters = new Dictionary<string, object> { ["total_timesteps"] = steps };
        if (algo == "a3c") hyperparameters["workers"] = 2;
        if (algo == "impala") (hyperparameters["envs_per_actor"], hyperparameters["batch_size"]) = (4, 1); // more updates in a short run
        using var agent = Agent.Create(algo, () => new TimeLimit(new CountingEnv(new TicTacToe()), 9), hyperparameters, name: "StrictTicTacToe-v0");
        agent.Learn(options: new LearnOptions { EvalEvery = 5_000, EvalEpisodes = 50 });
        long trainingSteps = Interlocked.Read(ref CountingEnv.Steps);
        Assert.That(trainingSteps, Is.GreaterThanOrEqualTo(steps), "every training step went through the strict env");

        var deterministic = agent.Evaluate(episodes: 300, env: new TicTacToe());
        TestContext.Out.WriteLine($"{algo}: {trainingSteps} strict steps, greedy eval {deterministic}");
        Assert.That(deterministic.MeanReturn, Is.GreaterThan(0.5), "it also learned to win (random play scores about 0.3)");

        // Sampling from the policy (not just its argmax) respects the mask too.
        using var env = new TicTacToe();
        var masks = new ActionMaskReader(env);
        for (int episode = 0; episode < 300; episode++)
        {
            var obs = env.Reset(episode).Observation;
            for (bool start = true; ; start = false)
            {
                var r = env.Step(agent.Predict(obs, deterministic: false, episodeStart: start, validActions: masks.Current));
                obs = r.Observation;
                if (r.Done) break;
            }
        }
    }

    [Test]
    public void The_strict_env_catches_an_agent_that_ignores_the_mask()
    {
        // The counter-check for the tests above: without the mask, random play hits an occupied cell quickly.
        using var env = new TicTacToe();
        var ignoring = new IgnoresMask(new RandomPolicy(env.ActionSpace, 3));
        var ex = Assert.Throws<InvalidActionException>(() => EpisodeRunner.Run(env, ignoring, 200, seed: 1));
        Assert.That(ex!.Message, Does.Match(@"TicTacToe: cell (\d) is occupied, so action \1 is invalid now; valid actions: [\d, ]+\."));

        var stats = EpisodeRunner.Run(env, new RandomPolicy(env.ActionSpace, 3), 2000, seed: 1);
        Assert.That(stats.Count, Is.EqualTo(2000), "the masked random policy plays 2000 games without an invalid move");
        Assert.That(stats.MeanReturn, Is.InRange(0.15, 0.45), "random X vs random O wins more than it loses");
    }

    private sealed class IgnoresMask(IActionPolicy inner) : IActionPolicy
    {
        public EnvAction Act(float[] observation) => inner.Act(observation);
    }

    [Test]
    public void Masking_learns_faster_than_penalising_invalid_moves()
    {
        // Same algorithm, budget and seeds; the only difference is how illegal moves are handled.
        double Score(string invalidMoves, int seed)
        {
            using var agent = Agent.Create("ppo", () => new TimeLimit(new TicTacToe(invalidMoves == "lose"), 9),
                new Dictionary<string, object> { ["total_timesteps"] = 10_000 }, seed: seed, name: $"TicTacToe-{invalidMoves}-v0");
            agent.Learn();
            return agent.Evaluate(episodes: 300, env: new TicTacToe(invalidMoves == "lose")).MeanReturn;
        }
        var masked = new[] { 1, 2 }.Select(s => Score("error", s)).ToArray();
        var penalised = new[] { 1, 2 }.Select(s => Score("lose", s)).ToArray();
        TestContext.Out.WriteLine($"after 10k steps: masked {string.Join(", ", masked)}; penalised {string.Join(", ", penalised)}");
        Assert.That(masked.Min(), Is.GreaterThan(penalised.Max() + 0.3), "with the mask every seed wins far more often at the same budget");
    }

    [Test]
    public void Tic_tac_toe_rules_and_masks()
    {
        using var env = new TicTacToe();
        env.Reset(seed: 7);
        Span<bool> valid = stackalloc bool[9];
        env.WriteActionMask(valid);
        Assert.That(valid.ToArray(), Is.All.True);
        var r = env.Step(4);
        Assert.That(r.Observation[4], Is.EqualTo(1f), "the agent's X in the centre");
        Assert.That(r.Observation.Skip(9).Sum(), Is.EqualTo(1f), "and one O from the opponent");
        env.WriteActionMask(valid);
        Assert.That(valid.ToArray().Count(v => v), Is.EqualTo(7));
        for (int k = 0; k < 9; k++) Assert.That(valid[k], Is.EqualTo(env.Board[k] == 0), $"cell {k}");

        using var lose = new TicTacToe(loseOnInvalidMove: true);
        lose.Reset(seed: 7);
        lose.Step(4);
        lose.WriteActionMask(valid);
        Assert.That(valid.ToArray(), Is.All.True, "in lose mode every move is accepted");
        var penalty = lose.Step(4);
        Assert.That((penalty.Reward, penalty.Terminated, lose.InvalidMoves), Is.EqualTo((-1f, true, 1)));
    }

    [Test]
    public void A_won_game_pays_one_and_ends()
    {
        // Against a scripted board: the agent holds 0 and 1 with 2 free; playing 2 completes the top row.
        using var env = new TicTacToe();
        for (int seed = 0; seed < 200; seed++)
        {
            env.Reset(seed);
            if (env.Step(0).Done || env.Board[1] != 0 || env.Board[2] != 0) continue;
            if (env.Step(1).Done || env.Board[2] != 0) continue;
            var r = env.Step(2);
            Assert.That((r.Reward, r.Terminated), Is.EqualTo((1f, true)));
            return;
        }
        Assert.Fail("no seed left the top row open for the agent");
    }

    [Test]
    public void Vector_envs_carry_masks_and_refuse_masked_actions()
    {
        using var envs = DeepRL.Environments.Vector.VectorEnvs.Make("TicTacToe-v0", 3);
        envs.Reset(seed: 1);
        Assert.That(envs.ActionMasks, Is.Not.Null.And.Length.EqualTo(27));
        Assert.That(envs.ActionMasks!, Is.All.True);
        envs.Step([0, 4, 8]);
        var masks = envs.ActionMasks!;
        Assert.That((masks[0], masks[9 + 4], masks[18 + 8]), Is.EqualTo((false, false, false)), "each env's own move is masked in its row");
        var ex = Assert.Throws<InvalidActionException>(() => envs.Step([1, 4, 0]));
        Assert.That(ex!.Message, Does.StartWith("Action 4 for env 1 is masked out in its current state (valid actions: "));
        Assert.That(DeepRL.Environments.Vector.VectorEnvs.Make("CartPole-v1", 2).ActionMasks, Is.Null, "envs without masks have none");
    }

    [Test]
    public void Masked_sampling_and_argmax_never_pick_an_invalid_action()
    {
        float[] logits = [10f, 0f, 0f, 5f];
        bool[] valid = [false, true, true, false];
        var rng = new Rng(5);
        var counts = new int[4];
        for (int k = 0; k < 4000; k++)
        {
            int a = PolicyDistribution.SampleCategorical(logits, rng, out float logProb, valid);
            counts[a]++;
            Assert.That(logProb, Is.EqualTo(MathF.Log(0.5f)).Within(1e-5), "renormalised over the two valid actions");
        }
        Assert.That((counts[0], counts[3]), Is.EqualTo((0, 0)));
        Assert.That(counts[1], Is.InRange(1800, 2200));
        Assert.That(PolicyDistribution.Argmax(logits, valid), Is.EqualTo(1));
        Assert.That(PolicyDistribution.Argmax(logits, default), Is.EqualTo(0));
        Assert.That(PolicyDistribution.Argmax(logits, new bool[4]), Is.EqualTo(0), "a row with no valid action is unrestricted");
    }

    [Test]
    public void Masked_loss_gives_zero_probability_and_entropy_over_valid_actions()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 3f, 1f, 1f, -2f }).reshape(1, 4);
        var mask = tensor(new float[] { 0f, 1f, 1f, 0f }).reshape(1, 4);
        var (logProb, entropy) = PolicyDistribution.Evaluate(logits, tensor(new long[] { 1 }), null, mask);
        Assert.That(logProb.item<float>(), Is.EqualTo(MathF.Log(0.5f)).Within(1e-5));
        Assert.That(entropy.item<float>(), Is.EqualTo(MathF.Log(2f)).Within(1e-5), "uniform over the two valid actions");
        var (maskedLogProb, _) = PolicyDistribution.Evaluate(logits, tensor(new long[] { 0 }), null, mask);
        Assert.That(maskedLogProb.item<float>(), Is.LessThan(-1e8f), "a masked action has (numerically) zero probability");
        Assert.That(float.IsFinite(entropy.item<float>()), "no NaN from 0 · log 0");
    }
}

/// <summary>DQN's side of masking: next-state masks travel through n-step accumulation, replay, files and the target.</summary>
[Category("Fast")]
public class DqnMaskingTests
{
    [Test]
    public void The_bootstrap_max_ranges_over_the_next_states_valid_actions()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new float[] { 9f, 1f, 2f, /* row 2 */ 4f, 8f, 3f }).reshape(2, 3);
        var online = tensor(new float[] { 7f, 0f, 5f, /* row 2 */ 0f, 6f, 1f }).reshape(2, 3);
        var valid = tensor(new float[] { 0f, 1f, 1f, /* row 2 */ 1f, 0f, 1f }).reshape(2, 3);
        Assert.That(DeepRL.Agents.Dqn.DqnAgent.NextStateValue(target, null, null).data<float>().ToArray(), Is.EqualTo(new[] { 9f, 8f }));
        Assert.That(DeepRL.Agents.Dqn.DqnAgent.NextStateValue(target, null, valid).data<float>().ToArray(), Is.EqualTo(new[] { 2f, 4f }),
            "plain DQN: max over valid actions only");
        Assert.That(DeepRL.Agents.Dqn.DqnAgent.NextStateValue(target, online, valid).data<float>().ToArray(), Is.EqualTo(new[] { 2f, 3f }),
            "Double DQN: the online argmax among valid actions (2 and 2), valued by the target");
    }

    [Test]
    public void Next_state_masks_go_through_n_step_replay_and_files()
    {
        var space = new DeepRL.Environments.Spaces.Box([2], 0f, 1f);
        using var buffer = new DeepRL.Replay.ReplayBuffer(8, space);
        var acc = new DeepRL.Replay.NStepAccumulator(2, 0.9f, 2);
        bool[] maskA = [true, false, true], maskB = [false, true, false];
        acc.Add([0f, 0f], 0, 1f, [1f, 0f], false, false, buffer, maskA); // pending
        acc.Add([1f, 0f], 2, 1f, [1f, 1f], false, false, buffer, maskB); // emits (s0 → s2) with s2's mask B
        acc.Add([1f, 1f], 1, 1f, [0f, 1f], true, false, buffer, new bool[3]); // terminal: flushes two, terminal mask → all valid
        Assert.That(buffer.Count, Is.EqualTo(3));

        using var batch = new DeepRL.Replay.ReplayBatch(3, [2], CPU);
        for (int seed = 0; seed < 20; seed++)
        {
            buffer.Sample(batch, new Rng((ulong)seed));
            var masks = batch.NextActionMasks!.data<float>().ToArray();
            for (int b = 0; b < 3; b++)
            {
                float[] expected = batch.Indices[b] == 0 ? [0f, 1f, 0f] : [1f, 1f, 1f];
                Assert.That(masks.Skip(b * 3).Take(3), Is.EqualTo(expected), $"slot {batch.Indices[b]}");
            }
        }

        string file = Path.Combine(Path.GetTempPath(), $"deeprl-mask-{Guid.NewGuid():N}.msgpack");
        try
        {
            DeepRL.Replay.Persistence.ReplayFile.Save(buffer, file);
            using var restored = new DeepRL.Replay.ReplayBuffer(8, space);
            DeepRL.Replay.Persistence.ReplayFile.Load(restored, file);
            Assert.That(restored.ActionMaskSize, Is.EqualTo(3));
            using var again = new DeepRL.Replay.ReplayBatch(3, [2], CPU);
            restored.Sample(again, new Rng(4));
            buffer.Sample(batch, new Rng(4));
            Assert.That(again.NextActionMasks!.data<float>().ToArray(), Is.EqualTo(batch.NextActionMasks!.data<float>().ToArray()));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
