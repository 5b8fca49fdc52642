using System.Text.Json;

namespace DeepRL.Tests.Cli;

[Category("Fast")]

public class ResumeCliTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-resume-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    private string TrainSmallRun()
    {
        var r = CliRunner.Run("train", "--out", _out, "--no-progress", "--env", "CartPole-v1", "--algo", "dqn", "--steps", "600",
            "--eval-every", "0", "--eval-episodes", "2", "--final-eval-episodes", "3", "--set", "learning_starts=200", "--set", "net_arch=8");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        return Directory.GetDirectories(_out).Single();
    }

    [TestCase("--algo", "ppo")]
    [TestCase("--set", "learning_rate=0.1")]
    [TestCase("--seed", "7")]
    [TestCase("--env", "CartPole-Masked-v1")]
    public void Resume_refuses_options_that_are_fixed_for_a_run(string option, string value)
    {
        string run = TrainSmallRun();
        string config = File.ReadAllText(Path.Combine(run, "config.json"));
        var r = CliRunner.Run("train", "--resume", run, option, value, "--no-progress");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain($"so {option} cannot be changed").And.Contain("only --steps"));
        Assert.That(File.ReadAllText(Path.Combine(run, "config.json")), Is.EqualTo(config), "the run is untouched");
    }

    [Test]
    public void Resume_trims_tensorboard_events_past_the_checkpoint()
    {
        string run = TrainSmallRun(); // checkpoint at step 600
        string tensorboard = Path.Combine(run, "tensorboard");
        // Events a killed session wrote after its last checkpoint (steps 700–900), in their own file as a new session would.
        string extra = Path.Combine(tensorboard, "lost");
        var writer = TorchSharp.torch.utils.tensorboard.SummaryWriter(extra);
        foreach (int step in new[] { 500, 700, 800, 900 }) writer.add_scalar("train/lost_after_checkpoint", 1f, step);
        foreach (var f in Directory.GetFiles(extra)) File.Move(f, Path.Combine(tensorboard, Path.GetFileName(f) + ".killed"));
        Directory.Delete(extra);
        string killedFile = Directory.GetFiles(tensorboard, "*.killed").Single();
        Assert.That(Steps(killedFile), Is.EqualTo(new long[] { 500, 700, 800, 900 }));

        var resumed = CliRunner.Run("train", "--resume", run, "--steps", "900", "--no-progress");
        Assert.That(resumed.ExitCode, Is.Zero, resumed.Error);
        Assert.That(Steps(killedFile), Is.EqualTo(new long[] { 500 }), "events past the checkpoint step (600) are gone, earlier ones stay");
        Assert.That(Directory.GetFiles(tensorboard, "events.out.tfevents.*").SelectMany(Steps).Max(), Is.EqualTo(900), "and the resumed session wrote its own");
    }

    private static long[] Steps(string eventFile)
    {
        var bytes = File.ReadAllBytes(eventFile);
        var steps = new List<long>();
        for (int at = 0; at + 12 <= bytes.Length;)
        {
            int length = (int)BitConverter.ToUInt64(bytes, at);
            if (DeepRL.Agents.Training.TensorBoardEvents.EventStep(bytes.AsSpan(at + 12, length)) is long step) steps.Add(step);
            at += 12 + length + 4;
        }
        return steps.ToArray();
    }

    [Test]
    public void Resuming_a_finished_run_says_so_instead_of_retraining()
    {
        string run = TrainSmallRun();
        string metrics = File.ReadAllText(Path.Combine(run, "metrics.csv"));
        var r = CliRunner.Run("train", "--resume", run, "--no-progress");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Output, Does.Contain("already finished (completed at step 600)").And.Contain("--steps 1200"));
        Assert.That(File.ReadAllText(Path.Combine(run, "metrics.csv")), Is.EqualTo(metrics));
    }

    [Test]
    public void Resume_with_more_steps_continues_a_finished_run()
    {
        string run = TrainSmallRun();
        var r = CliRunner.Run("train", "--resume", run, "--steps", "900", "--no-progress");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Output, Does.Contain("status: completed after 900 steps"));
    }

    [Test]
    public void Auto_policy_is_resolved_and_written_to_config_json()
    {
        string run = TrainSmallRun();
        var hp = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement.GetProperty("hyperparameters");
        Assert.That(hp.GetProperty("policy").GetString(), Is.EqualTo("mlp"));
    }

    [Test]
    public void Record_png_infers_the_format_from_the_extension_and_refuses_steps_past_the_episode()
    {
        string png = Path.Combine(_out, "frame.png");
        var ok = CliRunner.Run("record", "--env", "CartPole-v1", "--agent", "random", "--seed", "1", "--at-step", "3", "--out", png);
        Assert.That(ok.ExitCode, Is.Zero, ok.Error);
        Assert.That(File.Exists(png), Is.True);

        var past = CliRunner.Run("record", "--env", "CartPole-v1", "--agent", "random", "--seed", "1", "--at-step", "5000", "--out", png);
        Assert.That(past.ExitCode, Is.EqualTo(2));
        Assert.That(past.Error, Does.Match(@"--at-step 5000 is past the end of the episode: it ended after \d+ steps"));
    }
}
