using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Ppo;
using DeepRL.Environments;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

[Category("Learning")]

public class PpoTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-ppo-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    [Test]
    public void Ppo_learns_cartpole_on_a_small_fixed_seed_budget()
    {
        var options = TrainingHarness.Options("CartPole-v1", "ppo", seed: 1, ["total_timesteps=20000"], evalEvery: 5000, evalEpisodes: 20);
        var (summary, _) = TrainingHarness.Train(options, _out);
        TestContext.Out.WriteLine($"best {summary.BestEval!.MeanReturn} at {summary.BestEval.Step}");
        Assert.That(summary.BestEval.MeanReturn, Is.GreaterThan(200), "random play averages about 22");
    }

    [Test]
    public void Lstm_ppo_solves_the_t_maze_memory_task()
    {
        var options = TrainingHarness.Options("GridWorld-TMaze-v0", "ppo", seed: 1, [], evalEvery: 10_000, evalEpisodes: 50)
            with { StopWhenSolved = true };
        var (summary, _) = TrainingHarness.Train(options, _out);
        Assert.That(summary.Status, Is.EqualTo("solved"), "mean return ≥ 0.9 needs the cue remembered on every episode");
        Assert.That(summary.BestEval!.MeanReturn, Is.GreaterThanOrEqualTo(0.9));
    }

    [Test]
    public void Transformer_ppo_solves_the_t_maze_memory_task()
    {
        var options = TrainingHarness.Options("GridWorld-TMaze-v0", "ppo", seed: 1, ["policy=transformer", "total_timesteps=60000"], evalEvery: 10_000, evalEpisodes: 50)
            with { StopWhenSolved = true };
        var (summary, dir) = TrainingHarness.Train(options, _out);
        Assert.That(summary.Status, Is.EqualTo("solved"), "mean return ≥ 0.9 needs the cue remembered on every episode");
        var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.ConfigFile)).RootElement.GetProperty("hyperparameters");
        Assert.That(config.GetProperty("policy").GetString(), Is.EqualTo("transformer"));
        Assert.That(config.GetProperty("context_length").GetInt32(), Is.EqualTo(16));
    }

    [Test]
    public void Cnn_ppo_learns_an_image_gridworld()
    {
        var options = TrainingHarness.Options("GridWorld-Empty-8x8-Image-v0", "ppo", seed: 1, ["total_timesteps=40000"], evalEvery: 5000, evalEpisodes: 20)
            with { StopWhenSolved = true };
        var (summary, _) = TrainingHarness.Train(options, _out);
        Assert.That(summary.Status, Is.EqualTo("solved"));
        Assert.That(summary.BestEval!.MeanReturn, Is.GreaterThanOrEqualTo(0.99));
        var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory.GetDirectories(_out).Single(), "config.json")));
        Assert.That(config.RootElement.GetProperty("hyperparameters").GetProperty("policy").GetString(), Is.EqualTo("auto"),
            "auto picks the CNN for C×H×W observations");
    }

    [TestCase("dqn")]
    [TestCase("ppo")]
    public void MinAtar_trains_end_to_end_with_the_papers_cnn(string algo)
    {
        // A short run of the real MinAtar pipeline: byte-plane observations, the CNN, per-game defaults, evaluation.
        string[] overrides = algo == "dqn" ? ["total_timesteps=6144", "learning_starts=1000"] : ["total_timesteps=6144"];
        var options = TrainingHarness.Options("MinAtar/Breakout-v1", algo, seed: 1, overrides, evalEpisodes: 3);
        var (summary, dir) = TrainingHarness.Train(options, _out);
        Assert.That(summary.Steps, Is.EqualTo(6144));
        Assert.That(summary.FinalEval!.Episodes, Is.EqualTo(3));
        var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.ConfigFile)).RootElement.GetProperty("hyperparameters");
        Assert.That(config.GetProperty("policy").GetString(), Is.EqualTo("cnn"));
        Assert.That(File.ReadAllLines(dir.MetricsFile).Length, Is.GreaterThan(50), "hundreds of short Breakout episodes were logged");
    }

    [Test]
    public void Recurrent_sequence_shapes_and_hidden_state_resets()
    {
        manual_seed(0);
        using var net = new ActorCritic(PolicyKind.Lstm, [3], 2, false, [8], shared: true, lstmHidden: 5, logStdInit: 0);
        const int T = 4, B = 3;
        var obs = randn(T, B, 3);
        var starts = zeros(T, B);
        starts[0].fill_(1);
        starts[2, 1] = 1; // env 1 starts a new episode at t = 2
        var (h0, c0) = net.InitialState(B, CPU);
        h0 = h0 + 0.7f; // a non-zero carried state: must be wiped where starts = 1
        var (actor, value) = net.Sequence(obs, starts, h0, c0 + 0.3f);
        Assert.That(actor.shape, Is.EqualTo(new long[] { T * B, 2 }));
        Assert.That(value.shape, Is.EqualTo(new long[] { T * B }));

        // Step by step with explicit resets gives the same outputs.
        var (h, c) = net.InitialState(B, CPU);
        h = h + 0.7f;
        c = c + 0.3f;
        for (int t = 0; t < T; t++)
        {
            var (a, v, hn, cn) = net.Step(obs[t], h, c, starts[t]);
            Assert.That(allclose(a, actor[TensorIndex.Slice(t * B, (t + 1) * B)], 1e-5, 1e-6), Is.True, $"t = {t}");
            (h, c) = (hn!, cn!);
        }

        // After a reset, env 1's output at t = 2 equals a fresh-state step on the same observation.
        var (fresh, _, _, _) = net.Step(obs[2][TensorIndex.Slice(1, 2)], zeros(1, 1, 5), zeros(1, 1, 5), ones(1));
        Assert.That(allclose(fresh, actor[TensorIndex.Slice(2 * B + 1, 2 * B + 2)], 1e-5, 1e-6), Is.True);
    }

    [Test]
    public void Gaussian_log_probability_agrees_between_sampling_and_the_loss()
    {
        var rng = new Rng(3);
        float[] mean = [0.3f, -1.2f], logStd = [-0.5f, 0.2f];
        var action = new float[2];
        float hostLogProb = PolicyDistribution.SampleGaussian(mean, logStd, rng, action);
        var (lp, entropy) = PolicyDistribution.Evaluate(tensor(mean).reshape(1, 2), tensor(action).reshape(1, 2), tensor(logStd));
        Assert.That(lp.item<float>(), Is.EqualTo(hostLogProb).Within(1e-4));
        Assert.That(entropy.item<float>(), Is.EqualTo(2 * (0.5 + 0.5 * Math.Log(2 * Math.PI)) + (-0.5 + 0.2)).Within(1e-4));
    }

    [Test]
    public void Categorical_sampling_follows_the_softmax_and_reports_its_log_probability()
    {
        var rng = new Rng(4);
        float[] logits = [0f, (float)Math.Log(3)];
        int ones = 0;
        for (int i = 0; i < 4000; i++)
        {
            int a = PolicyDistribution.SampleCategorical(logits, rng, out float lp);
            Assert.That(lp, Is.EqualTo((float)Math.Log(a == 1 ? 0.75 : 0.25)).Within(1e-5));
            ones += a;
        }
        Assert.That(ones / 4000.0, Is.EqualTo(0.75).Within(0.03));
    }

    [Test]
    public void Continuous_ppo_trains_on_pendulum_and_keeps_actions_in_bounds()
    {
        var options = TrainingHarness.Options("Pendulum-v1", "ppo", seed: 1,
            ["total_timesteps=4096", "num_envs=4", "num_steps=256", "num_minibatches=4"], evalEpisodes: 4);
        var (summary, dir) = TrainingHarness.Train(options, _out);
        Assert.That(summary.Steps, Is.EqualTo(4096));
        Assert.That(summary.FinalEval!.MeanReturn, Is.InRange(-2000.0, 0.0), "Pendulum returns are negative costs");
        var rows = File.ReadAllLines(dir.MetricsFile).Skip(1).ToList();
        // 1024 steps per env: five 200-step episodes each, truncated by the time limit.
        Assert.That(rows, Has.Count.EqualTo(20));
        Assert.That(rows.Select(r => r.Split(',')[3]), Has.All.EqualTo("200"));
    }
}
