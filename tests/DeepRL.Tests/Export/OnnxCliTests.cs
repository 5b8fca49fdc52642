using System.Text.RegularExpressions;
using DeepRL.Inference;
using DeepRL.Tests.Cli;

namespace DeepRL.Tests.Export;

/// <summary><c>deeprl export</c> and <c>deeprl eval --onnx</c> on trained runs.</summary>
[Category("Process")]
public class OnnxCliTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-onnx-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCase("ppo", "CartPole-v1", "num_envs=4", "net_arch=16")]
    [TestCase("dqn", "MinAtar/Breakout-v1", "learning_starts=500", "net_arch=32")]
    [TestCase("ppo", "TicTacToe-v0", "net_arch=16")]
    [TestCase("ppo", "CartPole-Masked-v1", "policy=lstm", "lstm_hidden=8")]
    public void Eval_of_an_exported_run_gives_exactly_the_returns_of_eval_of_the_run(string algo, string env, params string[] hyperparameters)
    {
        var train = new List<string> { "train", "--algo", algo, "--env", env, "--steps", "3000", "--seed", "2", "--out", _dir, "--name", "run",
            "--no-progress", "--eval-every", "0", "--final-eval-episodes", "0" };
        foreach (var h in hyperparameters) train.AddRange(["--set", h]);
        var trained = CliRunner.Run([.. train]);
        Assert.That(trained.ExitCode, Is.Zero, trained.Output + trained.Error);
        string run = Path.Combine(_dir, "run"), file = Path.Combine(_dir, "policy.onnx");

        var exported = CliRunner.Run("export", "--run", run, "--checkpoint", "latest", "--out", file);
        Assert.That(exported.ExitCode, Is.Zero, exported.Error);
        Assert.That(exported.Output, Does.Contain($"Exported {algo} on {env} (checkpoint latest, step 3"));
        using (var policy = OnnxPolicy.Load(file))
        {
            Assert.That(policy.EnvId, Is.EqualTo(env));
            Assert.That(policy.Algorithm, Is.EqualTo(algo));
        }

        var fromRun = CliRunner.Run("eval", "--run", run, "--checkpoint", "latest", "--episodes", "20", "--seed", "9");
        var fromOnnx = CliRunner.Run("eval", "--onnx", file, "--episodes", "20", "--seed", "9");
        Assert.That(fromRun.ExitCode, Is.Zero, fromRun.Error);
        Assert.That(fromOnnx.ExitCode, Is.Zero, fromOnnx.Error);
        Assert.That(Stats(fromOnnx.Output), Is.EqualTo(Stats(fromRun.Output)), $"run: {fromRun.Output}\nonnx: {fromOnnx.Output}");
    }

    /// <summary>watch and record share the agent source: the exported policy draws the same frame as the run at the same step.</summary>
    [Test]
    public void Record_of_an_exported_policy_draws_the_frames_of_the_run()
    {
        var trained = CliRunner.Run("train", "--algo", "ppo", "--env", "MinAtar/Breakout-v1", "--steps", "2048", "--seed", "4", "--out", _dir,
            "--name", "run", "--no-progress", "--eval-every", "0", "--final-eval-episodes", "0");
        Assert.That(trained.ExitCode, Is.Zero, trained.Output + trained.Error);
        string run = Path.Combine(_dir, "run"), file = Path.Combine(_dir, "policy.onnx");
        Assert.That(CliRunner.Run("export", "--run", run, "--checkpoint", "latest", "--out", file).ExitCode, Is.Zero);
        foreach (int step in new[] { 2, 5 })
        {
            string fromRun = Path.Combine(_dir, $"run-{step}.png"), fromOnnx = Path.Combine(_dir, $"onnx-{step}.png");
            var a = CliRunner.Run("record", "--run", run, "--checkpoint", "latest", "--seed", "3", "--png", "--at-step", $"{step}", "--out", fromRun);
            var b = CliRunner.Run("record", "--onnx", file, "--seed", "3", "--png", "--at-step", $"{step}", "--out", fromOnnx);
            Assert.That(a.ExitCode, Is.Zero, a.Error);
            Assert.That(b.ExitCode, Is.Zero, b.Error);
            Assert.That(File.ReadAllBytes(fromOnnx), Is.EqualTo(File.ReadAllBytes(fromRun)), $"frame at step {step}, status line included");
        }
    }

    [Test]
    public void Watch_plays_an_exported_policy_in_a_window()
    {
        var trained = CliRunner.Run("train", "--algo", "ppo", "--env", "CartPole-v1", "--steps", "512", "--seed", "2", "--out", _dir, "--name", "run",
            "--no-progress", "--eval-every", "0", "--final-eval-episodes", "0", "--set", "num_envs=4", "--set", "num_steps=64");
        Assert.That(trained.ExitCode, Is.Zero, trained.Output + trained.Error);
        string file = Path.Combine(_dir, "policy.onnx");
        Assert.That(CliRunner.Run("export", "--run", Path.Combine(_dir, "run"), "--out", file).ExitCode, Is.Zero);
        using var xvfb = Rendering.VirtualDisplay.Start();
        string? previous = Environment.GetEnvironmentVariable("DISPLAY");
        Rendering.VirtualDisplay.SetDisplay(xvfb.Display);
        try
        {
            var r = CliRunner.Run("watch", "--onnx", file, "--episodes", "1", "--fps", "240", "--seed", "1");
            Assert.That(r.ExitCode, Is.Zero, r.Error);
            Assert.That(r.Output, Does.Contain("watched 1 episode(s) of CartPole-v1"));
        }
        finally
        {
            Rendering.VirtualDisplay.SetDisplay(previous);
        }
    }

    [Test]
    public void Eval_names_a_missing_or_foreign_policy_file()
    {
        var missing = CliRunner.Run("eval", "--onnx", Path.Combine(_dir, "nope.onnx"));
        Assert.That(missing.ExitCode, Is.Not.Zero);
        Assert.That(missing.Error, Does.Contain("nope.onnx' does not exist").And.Contain("deeprl export"));

        string junk = Path.Combine(_dir, "junk.onnx");
        File.WriteAllText(junk, "not a model");
        var foreign = CliRunner.Run("eval", "--onnx", junk);
        Assert.That(foreign.ExitCode, Is.Not.Zero);
        Assert.That(foreign.Error, Does.Contain("junk.onnx' is not a valid ONNX model"));
    }

    /// <summary>The "mean ± std …" part of eval's line (after the colon), the same for both sources.</summary>
    private static string Stats(string output) => Regex.Match(output, @"\): (.*)$", RegexOptions.Multiline).Groups[1].Value.Trim();
}
