namespace DeepRL.Tests.Cli;

[Category("Fast")]

public class TrainCliTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    private CliRunner.Result Train(params string[] extra) =>
        CliRunner.Run(["train", "--out", _out, "--no-progress", .. extra]);

    [Test]
    public void Train_then_eval_the_run_from_the_command_line()
    {
        var r = Train("--env", "CartPole-v1", "--algo", "dqn", "--steps", "1500", "--seed", "3", "--eval-every", "500", "--eval-episodes", "3",
            "--set", "learning_starts=200", "--set", "net_arch=16");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Output, Does.Contain("status: completed after 1500 steps").And.Contain("final eval (latest, fresh seeds): "));
        Assert.That(r.Output, Does.Match(@"recommended checkpoint: (best|latest)"));
        string run = Directory.GetDirectories(_out).Single();
        var e = CliRunner.Run("eval", "--run", run, "--episodes", "7");
        Assert.That(e.ExitCode, Is.Zero, e.Error);
        Assert.That(e.Output, Does.Match(@"CartPole-v1 dqn \(checkpoint (best|latest), step \d+\): mean return [\d.]+ ± [\d.]+ over 7 episodes .*95% CI of the mean [\d.]+ to [\d.]+"));
        var latest = CliRunner.Run("eval", "--run", run, "--checkpoint", "latest", "--episodes", "2");
        Assert.That(latest.Output, Does.Contain("(checkpoint latest, step 1500)"));
        string png = Path.Combine(_out, "trained.png");
        var record = CliRunner.Run("record", "--run", run, "--png", "--at-step", "3", "--out", png);
        Assert.That(record.ExitCode, Is.Zero, record.Error);
        Assert.That(File.Exists(png), Is.True);
        string curve = Path.Combine(_out, "curve.png");
        var plot = CliRunner.Run("plot", "--run", run, "--out", curve);
        Assert.That(plot.ExitCode, Is.Zero, plot.Error);
        Assert.That(plot.Output, Does.Contain("1 run(s), 3 points"), "evaluations at 500, 1000 and 1500 steps");
        using (var bmp = SkiaSharp.SKBitmap.Decode(curve)) Assert.That(bmp.Width, Is.EqualTo(1000));
        var badPlot = CliRunner.Run("plot", "--run", run, "--out", Path.Combine(_out, "curve.jpg"));
        Assert.That(badPlot.ExitCode, Is.EqualTo(2));
    }

    [Test]
    public void Unknown_algo_is_refused_with_the_available_ones()
    {
        var r = Train("--env", "CartPole-v1", "--algo", "sarsa");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("Unknown algorithm 'sarsa'").And.Contain("dqn"));
        Assert.That(Directory.GetDirectories(_out), Is.Empty, "no run folder for a refused command");
    }

    [Test]
    public void Config_key_typo_is_refused_with_a_suggestion()
    {
        var r = Train("--env", "CartPole-v1", "--set", "batchsize=32");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("Did you mean 'batch_size'?"));
    }

    [Test]
    public void Config_file_typo_is_refused()
    {
        string file = Path.Combine(_out, "hp.json");
        File.WriteAllText(file, "{\"learning_rat\": 0.1}");
        var r = Train("--env", "CartPole-v1", "--config", file);
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("learning_rat").And.Contain(file));
    }

    [Test]
    public void Negative_steps_are_refused()
    {
        var r = Train("--env", "CartPole-v1", "--steps", "-5");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("--steps: '-5' is not a whole, non-negative number of steps."));
    }

    [Test]
    public void Missing_run_directory_is_reported_for_resume_and_eval()
    {
        string missing = Path.Combine(_out, "nope");
        var resume = Train("--resume", missing);
        Assert.That(resume.ExitCode, Is.EqualTo(2));
        Assert.That(resume.Error, Does.Contain("does not exist"));
        var eval = CliRunner.Run("eval", "--run", missing);
        Assert.That(eval.ExitCode, Is.EqualTo(2));
        Assert.That(eval.Error, Does.Contain(missing));
    }

    [Test]
    public void Corrupt_checkpoint_is_reported_with_its_path()
    {
        var r = Train("--env", "CartPole-v1", "--steps", "300", "--set", "learning_starts=100", "--set", "net_arch=8", "--eval-episodes", "1");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        string run = Directory.GetDirectories(_out).Single();
        string model = Path.Combine(run, "checkpoints", "best", "model.pt");
        File.WriteAllText(model, "garbage");
        var e = CliRunner.Run("eval", "--run", run, "--checkpoint", "best");
        Assert.That(e.ExitCode, Is.EqualTo(2));
        Assert.That(e.Error, Does.Contain(model).And.Contain("corrupt"));
    }

    [Test]
    public void Cnn_policy_on_vector_observations_is_refused()
    {
        var r = Train("--env", "CartPole-v1", "--policy", "cnn");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("policy cnn needs C×H×W image observations"));
    }

    [Test]
    public void Unavailable_device_is_refused()
    {
        if (TorchSharp.torch.cuda.is_available()) Assert.Ignore("this machine has CUDA");
        var r = Train("--env", "CartPole-v1", "--device", "cuda");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("CUDA is not available"));
    }

    [Test]
    public void A3c_trains_with_workers_from_the_command_line_and_its_run_evaluates()
    {
        var r = Train("--env", "CartPole-v1", "--algo", "a3c", "--workers", "2", "--steps", "3000", "--eval-every", "0",
            "--eval-episodes", "2", "--final-eval-episodes", "5", "--set", "net_arch=16");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Output, Does.Contain("status: completed after"));
        string run = Directory.GetDirectories(_out).Single();
        var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement;
        Assert.That(config.GetProperty("hyperparameters").GetProperty("workers").GetInt32(), Is.EqualTo(2));
        var e = CliRunner.Run("eval", "--run", run, "--episodes", "3");
        Assert.That(e.ExitCode, Is.Zero, e.Error);
        Assert.That(e.Output, Does.Contain("CartPole-v1 a3c (checkpoint"));
    }

    [Test]
    public void Workers_is_refused_for_algorithms_without_worker_threads()
    {
        var r = Train("--env", "CartPole-v1", "--algo", "ppo", "--workers", "2");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("--workers applies to --algo a3c only"));
    }

    [TestCase("eval")]
    [TestCase("record")]
    public void A_run_is_refused_on_an_env_with_different_spaces(string command)
    {
        var r = Train("--env", "CartPole-v1", "--steps", "300", "--set", "learning_starts=100", "--set", "net_arch=8", "--eval-episodes", "1",
            "--final-eval-episodes", "0");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        string run = Directory.GetDirectories(_out).Single();
        string[] extra = command == "record" ? ["--out", Path.Combine(_out, "x.png")] : [];
        var e = CliRunner.Run([command, "--run", run, "--env", "MinAtar/Breakout-v1", .. extra]);
        Assert.That(e.ExitCode, Is.EqualTo(2));
        Assert.That(e.Error, Does.Contain("was trained on CartPole-v1 (observations Box(").And.Contain("MinAtar/Breakout-v1 has observations Box(")
            .And.Contain("drop --env to use CartPole-v1"));
    }
}
