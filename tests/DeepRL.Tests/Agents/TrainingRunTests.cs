using System.Text.Json;
using DeepRL.Agents;
using DeepRL.Agents.Dqn;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Replay.Persistence;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

[Category("Learning")]

public class TrainingRunTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-run-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    private static readonly string[] Small = ["total_timesteps=3000", "learning_starts=500", "train_freq=4", "net_arch=32,32", "buffer_size=5000"];

    [Test]
    public void A_run_writes_config_metrics_tensorboard_checkpoints_and_summary()
    {
        var options = TrainingHarness.Options("CartPole-v1", "dqn", seed: 4, Small, evalEvery: 1000, evalEpisodes: 5, finalEvalEpisodes: 20);
        var (summary, dir) = TrainingHarness.Train(options, _out);

        Assert.That(dir.Name, Does.Match(@"^CartPole-v1__dqn__4__\d{8}-\d{6}$"));
        var config = JsonDocument.Parse(File.ReadAllText(dir.ConfigFile)).RootElement;
        Assert.That(config.GetProperty("hyperparameters").GetProperty("train_freq").GetInt32(), Is.EqualTo(4), "resolved hyperparameters");
        Assert.That(config.GetProperty("hyperparameters").GetProperty("gamma").GetDouble(), Is.EqualTo(0.99));

        var rows = File.ReadAllLines(dir.MetricsFile);
        Assert.That(rows[0], Is.EqualTo(MetricsLog.EpisodeHeader));
        Assert.That(rows.Length - 1, Is.EqualTo(summary.Episodes));
        var last = rows[^1].Split(',');
        Assert.That(long.Parse(last[0]), Is.LessThanOrEqualTo(3000));
        Assert.That(last[4], Is.Not.Empty, "loss is logged once learning started");
        Assert.That(double.Parse(last[5], System.Globalization.CultureInfo.InvariantCulture), Is.InRange(0.0, 1.0), "epsilon");

        Assert.That(File.ReadAllLines(Path.Combine(dir.Path, "evaluations.csv")), Has.Length.EqualTo(4), "header + evals at 1000, 2000, 3000");
        Assert.That(Directory.GetFiles(dir.TensorBoardDir, "events.out.tfevents*", SearchOption.AllDirectories), Is.Not.Empty);
        foreach (var name in new[] { "latest", "best" })
        {
            foreach (var file in new[] { "model.pt", "optimizer.pt", "agent.json", "run.json" })
                Assert.That(File.Exists(Path.Combine(dir.Checkpoint(name), file)), Is.True, $"{name}/{file}");
        }
        var s = JsonDocument.Parse(File.ReadAllText(dir.SummaryFile)).RootElement;
        Assert.That(s.GetProperty("status").GetString(), Is.EqualTo("completed"));
        Assert.That(s.GetProperty("steps").GetInt64(), Is.EqualTo(3000));
        Assert.That(s.GetProperty("final_eval").GetProperty("episodes").GetInt32(), Is.EqualTo(20), "the final report's own episodes");
        Assert.That(s.GetProperty("final_eval").GetProperty("checkpoint").GetString(), Is.EqualTo("latest"));
        Assert.That(s.GetProperty("recommended").GetString(), Is.AnyOf("latest", "best"));
        Assert.That(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories), Is.Empty, "no temp files left behind");
    }

    [Test]
    public void Same_seed_gives_the_same_run_on_cpu()
    {
        var options = TrainingHarness.Options("CartPole-v1", "dqn", seed: 9, Small);
        var (_, a) = TrainingHarness.Train(options, _out);
        var (_, b) = TrainingHarness.Train(options, _out);
        string Strip(string path) => string.Join('\n', File.ReadAllLines(path).Select(l => string.Join(',', l.Split(',')[..7])));
        Assert.That(Strip(b.MetricsFile), Is.EqualTo(Strip(a.MetricsFile)), "step, episode, return, length, loss, epsilon and lr match row by row");
    }

    [Test]
    public void Interrupt_leaves_a_resumable_checkpoint_and_resume_continues_from_it()
    {
        var options = TrainingHarness.Options("CartPole-v1", "dqn", seed: 5, Small, saveReplay: true);
        var stopper = new TrainingHarness.StopAt(1500);
        var (interrupted, dir) = TrainingHarness.Train(options, _out, stopper, run => stopper.Run = run);
        Assert.That(interrupted.Status, Is.EqualTo("interrupted"));
        long savedStep = interrupted.Steps;
        Assert.That(savedStep, Is.InRange(1500, 2999));
        Assert.That(interrupted.Resume, Is.EqualTo(dir.Path), "the folder to resume, not CLI text");
        Assert.That(File.Exists(Path.Combine(dir.Checkpoint("latest"), "replay.msgpack")), Is.True);

        var resumed = TrainingHarness.Resume(dir);
        Assert.That(resumed.Status, Is.EqualTo("completed"));
        Assert.That(resumed.Steps, Is.EqualTo(3000));
        Assert.That(resumed.Episodes, Is.GreaterThan(interrupted.Episodes), "episode counter continues");
        var steps = File.ReadAllLines(dir.MetricsFile).Skip(1).Select(l => long.Parse(l.Split(',')[0])).ToList();
        Assert.That(steps, Is.Ordered, "metrics continue after the checkpoint without duplicated rows");
        Assert.That(steps.Count(s => s > savedStep), Is.GreaterThan(0));
    }

    [Test]
    public void Resumed_agent_has_the_saved_buffer_optimizer_and_weights()
    {
        var options = TrainingHarness.Options("CartPole-v1", "dqn", seed: 6, Small, saveReplay: true);
        using var probe = EnvRegistry.Default.Make("CartPole-v1");
        var (agent, total) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, CPU);
        using var _ = agent;
        using (var run = TrainingRun.Create(options, agent, total, _out, EnvRegistry.Default, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            run.Train();
            var dqn = (DqnAgent)agent;
            var checkpoint = run.Directory.Checkpoint("latest");

            var (fresh, _) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, CPU);
            using var __ = fresh;
            fresh.Load(checkpoint, includeReplay: true);
            var restored = (DqnAgent)fresh;
            Assert.That(restored.Buffer.Count, Is.EqualTo(dqn.Buffer.Count));
            Assert.That(restored.Buffer.TotalAdded, Is.EqualTo(3000));
            foreach (var (p, q) in dqn.OnlineNetwork.parameters().Zip(restored.OnlineNetwork.parameters()))
                Assert.That(p.data<float>().ToArray(), Is.EqualTo(q.data<float>().ToArray()));

            // Optimizer state (Adam moments) round-trips: one identical update on both gives identical weights.
            string saved = Path.Combine(_out, "again");
            Directory.CreateDirectory(saved);
            restored.Save(saved, includeReplay: true);
            Assert.That(File.ReadAllBytes(Path.Combine(saved, "optimizer.pt")), Is.EqualTo(File.ReadAllBytes(Path.Combine(checkpoint, "optimizer.pt"))));
            Assert.That(ReplayBytes(Path.Combine(saved, "replay.msgpack")), Is.EqualTo(ReplayBytes(Path.Combine(checkpoint, "replay.msgpack"))));
        }
    }

    private static byte[] ReplayBytes(string path) => File.ReadAllBytes(path);

    [Test]
    public void Corrupt_checkpoint_names_the_file()
    {
        var options = TrainingHarness.Options("CartPole-v1", "dqn", seed: 7, ["total_timesteps=600", "learning_starts=100", "net_arch=8"]);
        var (_, dir) = TrainingHarness.Train(options, _out);
        string model = Path.Combine(dir.Checkpoint("latest"), "model.pt");
        File.WriteAllBytes(model, [1, 2, 3, 4, 5]);
        var ex = Assert.Throws<InvalidDataException>(() => TrainingHarness.Resume(dir));
        Assert.That(ex!.Message, Does.Contain(model));
    }
}
