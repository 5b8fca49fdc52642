using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DeepRL.Agents.Training;

namespace DeepRL.Tests.Cli;

/// <summary>
/// What happens to a run when the process is killed, signalled, or its files are damaged: the real program in a
/// child process, as a user (or a scheduler) would run it.
/// </summary>
[Category("Process")]
public class ReliabilityTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-reliability-").FullName;

    [TearDown]
    public void TearDown()
    {
        Directory.Delete(_out, recursive: true);
        // The broken test envs must not leak into tests that walk every registered env.
        foreach (var id in new[] { "ThrowingCtor-v0", "ShortObs-v0", "NanReward-v0", "HugeReward-v0", "Drifting-v0" }) DeepRL.Environments.EnvRegistry.Default.Unregister(id);
    }

    private static readonly string[] SmallDqn =
        ["--env", "CartPole-v1", "--algo", "dqn", "--set", "learning_starts=200", "--set", "net_arch=16", "--eval-every", "0",
         "--eval-episodes", "2", "--final-eval-episodes", "2", "--no-progress"];

    /// <summary>
    /// Starts deeprl; with <paramref name="pauseAt"/> (stage, marker file) it runs through the test assembly's
    /// <see cref="PausingHost"/>, whose checkpoint swap stops at that stage.
    /// </summary>
    private Process Start(IEnumerable<string> args, (string Stage, string Marker)? pauseAt = null)
    {
        // Through env(1) so SIGHUP has its default disposition: a test run under nohup would otherwise hand the child
        // an ignored SIGHUP, which .NET (rightly) keeps ignoring, and the SIGHUP case would wait for nothing.
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=HUP");
        psi.ArgumentList.Add("dotnet");
        if (pauseAt is var (stage, marker))
        {
            psi.ArgumentList.Add(typeof(PausingHost).Assembly.Location);
            foreach (var a in new[] { "--pause-at", stage, marker }) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.ArgumentList.Add(CliRunner.ProgramPath);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private string RunFolder() => Directory.GetDirectories(_out).Single();

    private static void WaitFor(Func<bool> condition, string what, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"timed out waiting for {what}");
            Thread.Sleep(50);
        }
    }

    private static void Signal(Process p, string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, p.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static long CheckpointStep(string run) => RunStore.CheckpointStep(Path.Combine(run, "checkpoints", "latest"));

    /// <summary>metrics.csv parses: a header, then whole rows, none past <paramref name="maxStep"/>.</summary>
    private static void AssertMetricsClean(string run, long maxStep)
    {
        string text = File.ReadAllText(Path.Combine(run, "metrics.csv"));
        Assert.That(text, Does.EndWith("\n"), "no torn last line");
        var rows = text.TrimEnd('\n').Split('\n');
        Assert.That(rows[0], Is.EqualTo(MetricsLog.EpisodeHeader));
        foreach (var row in rows.Skip(1))
        {
            var f = row.Split(',');
            Assert.That(f, Has.Length.EqualTo(9), row);
            Assert.That(long.Parse(f[0], CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(maxStep), row);
            Assert.That(double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _), Is.True, row);
        }
    }

    [TestCase("TERM")]
    [TestCase("HUP")]
    public void Sigterm_and_sighup_stop_like_ctrl_c_with_a_checkpoint_and_the_resume_command(string signal)
    {
        using var p = Start(["train", "--out", _out, "--steps", "10000000", .. SmallDqn]);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        WaitFor(() => Directory.GetDirectories(_out).Length == 1 && File.Exists(Path.Combine(RunFolder(), "metrics.csv"))
                      && File.ReadAllLines(Path.Combine(RunFolder(), "metrics.csv")).Length > 30, "training to start");
        var signalled = Stopwatch.StartNew();
        Signal(p, signal);
        if (!p.WaitForExit(60_000))
        {
            // Say what the child was doing instead of leaving it running.
            p.Kill();
            p.WaitForExit();
            string log = stderr.Result;
            Assert.Fail($"the run did not stop within 60 s of SIG{signal}; its log ends with:\n{log[Math.Max(0, log.Length - 3000)..]}\nstdout:\n{stdout.Result}");
        }
        TestContext.Out.WriteLine($"stopped {signalled.Elapsed.TotalSeconds:F1} s after SIG{signal}");
        Assert.That(p.ExitCode, Is.EqualTo(130));
        Assert.That(stdout.Result, Does.Contain("status: interrupted").And.Contain("resume with: deeprl train --resume"));
        string run = RunFolder();
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;
        Assert.That(summary.GetProperty("status").GetString(), Is.EqualTo("interrupted"));
        Assert.That(CheckpointStep(run), Is.EqualTo(summary.GetProperty("steps").GetInt64()), "latest holds every finished step");
    }

    /// <summary>
    /// The user-facing promise of exact resume: a run stopped by a signal at whatever step it had reached, then
    /// resumed, ends with byte-identical weights and optimizer state to the same command run without a stop.
    /// </summary>
    [TestCase("ppo", new[] { "--set", "net_arch=16" })]
    [TestCase("dqn", new[] { "--set", "learning_starts=200", "--set", "net_arch=16", "--save-replay" })]
    public void A_run_stopped_by_sigterm_and_resumed_ends_with_the_uninterrupted_runs_weights(string algo, string[] settings)
    {
        string[] command = ["train", "--env", "CartPole-v1", "--algo", algo, "--seed", "3", "--steps", "12000", "--eval-every", "4000",
                            "--eval-episodes", "2", "--final-eval-episodes", "2", "--no-progress", .. settings];
        string whole = Path.Combine(_out, "whole"), split = Path.Combine(_out, "split");
        var uninterrupted = CliRunner.RunProcess(TimeSpan.FromMinutes(3), [.. command, "--out", whole]);
        Assert.That(uninterrupted.ExitCode, Is.Zero, uninterrupted.Error);

        string run;
        Directory.CreateDirectory(split);
        using (var p = Start([.. command, "--out", split]))
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            WaitFor(() => Directory.GetDirectories(split).Length == 1 && File.Exists(Path.Combine(Directory.GetDirectories(split)[0], "metrics.csv"))
                          && File.ReadAllLines(Path.Combine(Directory.GetDirectories(split)[0], "metrics.csv")).Length > 40, "training to start");
            Signal(p, "TERM");
            Assert.That(p.WaitForExit(60_000), Is.True);
            Assert.That(p.ExitCode, Is.EqualTo(130));
            run = Directory.GetDirectories(split).Single();
        }
        long stoppedAt = CheckpointStep(run);
        Assert.That(stoppedAt, Is.GreaterThan(0).And.LessThan(12000));
        var resumed = CliRunner.RunProcess(TimeSpan.FromMinutes(3), ["train", "--resume", run, "--no-progress"]);
        Assert.That(resumed.ExitCode, Is.Zero, resumed.Error);
        Assert.That(resumed.Output + resumed.Error, Does.Not.Contain("not exact"));

        string wholeRun = Directory.GetDirectories(whole).Single();
        foreach (string file in new[] { "model.pt", "optimizer.pt", "agent.json" })
            Assert.That(File.ReadAllBytes(Path.Combine(run, "checkpoints", "latest", file)),
                Is.EqualTo(File.ReadAllBytes(Path.Combine(wholeRun, "checkpoints", "latest", file))), $"{file} after a stop at step {stoppedAt}");
    }

    /// <summary>
    /// Learn's schedules through the CLI: a run stopped by SIGTERM and resumed with a larger --steps continues its learning-rate
    /// decay from where it stopped (it used to restart the decay against the new total, jumping back up).
    /// </summary>
    [Test]
    public void A_cli_resume_to_more_steps_continues_the_learning_rate_without_a_jump()
    {
        using (var p = Start(["train", "--out", _out, "--env", "CartPole-v1", "--algo", "ppo", "--steps", "20000", "--set", "update_epochs=2",
                              "--set", "anneal_lr=true", "--eval-every", "0", "--final-eval-episodes", "2", "--no-progress"]))
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            WaitFor(() => Directory.GetDirectories(_out).Length == 1 && File.Exists(Path.Combine(RunFolder(), "metrics.csv"))
                          && File.ReadAllLines(Path.Combine(RunFolder(), "metrics.csv")).Count(l => l.Split(',') is { Length: > 6 } f && f[6] != "") > 20, "training to start");
            Signal(p, "TERM");
            Assert.That(p.WaitForExit(60_000), Is.True);
            Assert.That(p.ExitCode, Is.EqualTo(130));
        }
        string run = RunFolder();
        long stoppedAt = CheckpointStep(run);
        var before = LearningRates(run);
        var resumed = CliRunner.RunProcess(TimeSpan.FromMinutes(3), ["train", "--resume", run, "--steps", "40000", "--no-progress"]);
        Assert.That(resumed.ExitCode, Is.Zero, resumed.Error);
        var after = LearningRates(run).Where(r => r.Step > stoppedAt).ToList();

        double baseRate = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement
            .GetProperty("hyperparameters").GetProperty("learning_rate").GetDouble();
        double oneRollout = baseRate * (8 * 32) / 20000.0; // PPO CartPole: 8 envs × 32 steps per rollout
        double last = before.Last(r => r.Step <= stoppedAt).Rate, first = after[0].Rate;
        TestContext.Out.WriteLine($"stopped at {stoppedAt}: lr {last} before, {first} after the resume (one rollout decays {oneRollout})");
        Assert.That(first, Is.LessThanOrEqualTo(last * (1 + 1e-5)), "no jump up at the resume");
        // Rows carry the rate of the last update before their episode ended, so the two readings are up to two rollouts apart.
        Assert.That(first, Is.GreaterThanOrEqualTo(last - oneRollout * 2.01), "it continues the decay the run was on");
        Assert.That(after[^1].Rate, Is.LessThan(first), "and decays on towards the new end");
    }

    /// <summary>(step, learning_rate) of metrics.csv rows that carry one.</summary>
    private static List<(long Step, double Rate)> LearningRates(string run) =>
        File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f.Length > 6 && f[6] != "")
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[6], CultureInfo.InvariantCulture)))
            .ToList();

    [TestCase("filled")]
    [TestCase("old-removed")]
    [TestCase("moved-aside")]
    [TestCase("moved-in")]
    public void Sigkill_inside_a_checkpoint_swap_never_loses_the_resumable_checkpoint(string stage)
    {
        // First a complete checkpoint at 2000, then a run that is killed inside the swap of its next checkpoint.
        var first = CliRunner.RunProcess(TimeSpan.FromMinutes(2), ["train", "--out", _out, "--steps", "2000", "--checkpoint-every", "1000", .. SmallDqn]);
        Assert.That(first.ExitCode, Is.Zero, first.Error);
        string run = RunFolder();
        string marker = Path.Combine(_out, "paused");
        using (var p = Start(["train", "--resume", run, "--steps", "4000", "--no-progress"],
                   pauseAt: (stage, marker)))
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            WaitFor(() => File.Exists(marker), $"the swap to reach '{stage}'");
            p.Kill(); // SIGKILL
            p.WaitForExit();
        }
        // Metrics may have a torn line now; leftovers of the swap lie around.
        File.AppendAllText(Path.Combine(run, "metrics.csv"), "3999,17,12.");

        var resumed = CliRunner.RunProcess(TimeSpan.FromMinutes(2), ["train", "--resume", run, "--steps", "4000", "--no-progress"]);
        Assert.That(resumed.ExitCode, Is.Zero, resumed.Error);
        Assert.That(resumed.Output, Does.Contain("status: completed after 4000 steps"));
        AssertMetricsClean(run, 4000);
        Assert.That(Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "latest", "best" }), "leftovers of the interrupted save are cleaned up");
    }

    [Test]
    public void Sigkill_at_random_moments_always_leaves_a_resumable_run()
    {
        var rng = new Random(7);
        var first = CliRunner.RunProcess(TimeSpan.FromMinutes(2), ["train", "--out", _out, "--steps", "500", "--checkpoint-every", "500", .. SmallDqn]);
        Assert.That(first.ExitCode, Is.Zero, first.Error);
        string run = RunFolder();
        long target = 500;
        for (int k = 0; k < 4; k++)
        {
            target += 3000;
            using var p = Start(["train", "--resume", run, "--steps", target.ToString(CultureInfo.InvariantCulture), "--no-progress"]);
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            Thread.Sleep(rng.Next(1200, 3500)); // .NET start, load, and a few checkpoints of 1000 steps
            p.Kill();
            p.WaitForExit();
            long atCheckpoint = CheckpointStep(run);
            MetricsLog.TruncateAfter(new RunDirectory(run), atCheckpoint); // what resume does first
            AssertMetricsClean(run, atCheckpoint);
        }
        var done = CliRunner.RunProcess(TimeSpan.FromMinutes(2), ["train", "--resume", run, "--steps", (target + 500).ToString(CultureInfo.InvariantCulture), "--no-progress"]);
        Assert.That(done.ExitCode, Is.Zero, done.Error);
        AssertMetricsClean(run, target + 500);
    }

    [TestCase("model.pt")]
    [TestCase("optimizer.pt")]
    [TestCase("agent.json")]
    [TestCase("run.json")]
    [TestCase("loop.bin")]
    [TestCase("replay.msgpack")]
    public void A_flipped_byte_in_a_checkpoint_file_is_reported_by_name(string file)
    {
        var r = CliRunner.Run(["train", "--out", _out, "--steps", "600", "--save-replay", .. SmallDqn]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        string run = RunFolder();
        string path = Path.Combine(run, "checkpoints", "latest", file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(path, bytes);

        var resume = CliRunner.Run("train", "--resume", run, "--steps", "900", "--no-progress");
        Assert.That(resume.ExitCode, Is.EqualTo(2));
        Assert.That(resume.Error, Does.Contain($"Checkpoint file '{path}' is corrupt"));
        var eval = CliRunner.Run("eval", "--run", run, "--checkpoint", "latest");
        Assert.That(eval.ExitCode, Is.EqualTo(2));
        Assert.That(eval.Error, Does.Contain(path));
    }

    [TestCase("enospc", "no space left on the device")]
    [TestCase("eacces", "permission denied")]
    public void A_failing_checkpoint_write_reports_the_cause_keeps_the_previous_checkpoint_and_exits_2(string fault, string cause)
    {
        var r = CliRunner.Run(["train", "--out", _out, "--steps", "1000", "--checkpoint-every", "500", .. SmallDqn]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        string run = RunFolder();
        long before = CheckpointStep(run);
        AtomicFile.TestPause = stage =>
        {
            if (stage != "filled") return;
            if (fault == "enospc") throw new IOException("No space left on device", 28);
            throw new UnauthorizedAccessException("Access to the path is denied.");
        };
        try
        {
            var failing = CliRunner.Run("train", "--resume", run, "--steps", "2000", "--no-progress");
            Assert.That(failing.ExitCode, Is.EqualTo(2));
            Assert.That(failing.Error, Does.Contain("Could not save checkpoint 'latest' in " + Path.Combine(run, "checkpoints")).And.Contain(cause)
                .And.Contain("The previous checkpoint is intact"));
            Assert.That(failing.Error.Split('\n').Count(l => l.StartsWith("error:", StringComparison.Ordinal)), Is.EqualTo(1), "one error line");
            Assert.That(failing.Error, Does.Not.Contain("   at "), "no stack trace");
        }
        finally
        {
            AtomicFile.TestPause = null;
        }
        Assert.That(CheckpointStep(run), Is.EqualTo(before), "the previous checkpoint survives");
        var resumed = CliRunner.Run("train", "--resume", run, "--steps", "2000", "--no-progress");
        Assert.That(resumed.ExitCode, Is.Zero, resumed.Error);
    }

    [TestCase("reward", "returned a non-finite reward (NaN) in env", "check the environment's reward computation")]
    [TestCase("observation", "returned a non-finite observation (NaN at index 0) in env", "check the environment's observation computation")]
    public void Non_finite_rewards_and_observations_stop_training_with_a_message_naming_what_and_where(string what, string message, string cause)
    {
        var registry = DeepRL.Environments.EnvRegistry.Default;
        registry.Register(new DeepRL.Environments.EnvSpec("NanReward-v0", _ => new NanRewardEnv(nanObservation: what == "observation"), 50));
        var r = CliRunner.Run("train", "--out", _out, "--env", "NanReward-v0", "--algo", "ppo", "--steps", "5000", "--no-progress", "--eval-every", "0");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain(message).And.Contain("at step 7 of its episode").And.Contain(cause).And.Contain("run step"));
    }

    [Test]
    public void A_network_too_large_for_memory_is_one_line_without_native_frames()
    {
        // 10⁶ × 10⁶ weights: libtorch refuses the 4 TB allocation at once (nothing is touched).
        var r = CliRunner.Run("train", "--out", _out, "--env", "CartPole-v1", "--algo", "ppo", "--set", "net_arch=1000000,1000000", "--no-progress");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        var errors = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.StartWith("error: libtorch: [enforce fail").And.Contain("you tried to allocate 4000000000000 bytes")
            .And.Contain("reduce net_arch, batch_size, num_envs or buffer_size"));
        Assert.That(r.Error, Does.Not.Contain("frame #"), "no native stack without --verbose");
        var verbose = CliRunner.Run("train", "--out", _out, "--env", "CartPole-v1", "--algo", "ppo", "--set", "net_arch=1000000,1000000", "--no-progress", "--verbose");
        Assert.That(verbose.Error, Does.Contain("frame #0"), "--verbose keeps libtorch's trace");
    }

    [Test]
    public void An_infinite_learning_rate_is_refused_before_training()
    {
        var r = CliRunner.Run("train", "--out", _out, "--env", "CartPole-v1", "--set", "learning_rate=Infinity");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("learning_rate must be a finite number, got Infinity"));
        Assert.That(Directory.GetDirectories(_out), Is.Empty, "no run folder for a refused config");
    }

    [Test]
    public void Metrics_write_nan_and_inf_explicitly()
    {
        var dir = new RunDirectory(Directory.CreateDirectory(Path.Combine(_out, "m")).FullName);
        using (var log = new MetricsLog(dir, tensorboard: false))
        {
            log.Scalar("loss", double.NaN, 1);
            log.Scalar("epsilon", double.PositiveInfinity, 1);
            log.Episode(1, 1, double.NegativeInfinity, 3, 10, 0.1);
        }
        var row = File.ReadAllLines(dir.MetricsFile)[1].Split(',');
        Assert.That((row[2], row[4], row[5]), Is.EqualTo(("-inf", "nan", "inf")));
    }

    [TestCase("\"step\": -5", "step is -5")]
    [TestCase("\"recent_returns\": null", "recent_returns is null")]
    public void Invalid_run_json_is_refused_naming_file_and_field_and_metrics_survive(string field, string problem)
    {
        var r = CliRunner.Run(["train", "--out", _out, "--steps", "600", .. SmallDqn]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        string run = RunFolder();
        string latest = Path.Combine(run, "checkpoints", "latest");
        string runJson = Path.Combine(latest, "run.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(runJson))!.AsObject();
        string key = field.Split(':')[0].Trim('"');
        json[key] = System.Text.Json.Nodes.JsonNode.Parse(field.Split(':', 2)[1]);
        File.WriteAllText(runJson, json.ToJsonString());
        File.Delete(Path.Combine(latest, CheckpointManifest.FileName)); // as a checkpoint from before manifests
        string metrics = File.ReadAllText(Path.Combine(run, "metrics.csv"));

        var resume = CliRunner.Run("train", "--resume", run, "--steps", "900", "--no-progress");
        Assert.That(resume.ExitCode, Is.EqualTo(2));
        Assert.That(resume.Error, Does.Contain($"Checkpoint file '{runJson}' is invalid: {problem}."));
        Assert.That(File.ReadAllText(Path.Combine(run, "metrics.csv")), Is.EqualTo(metrics), "no metrics rows deleted");
    }

    [TestCase("env_id", "null", "env_id is missing")]
    [TestCase("eval_episodes", "0", "eval_episodes is 0")]
    [TestCase("hyperparameters", "null", "hyperparameters is null")]
    public void Invalid_config_json_is_refused_naming_file_and_field(string key, string value, string problem)
    {
        var r = CliRunner.Run(["train", "--out", _out, "--steps", "600", .. SmallDqn]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        string config = Path.Combine(RunFolder(), "config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json[key] = System.Text.Json.Nodes.JsonNode.Parse(value);
        File.WriteAllText(config, json.ToJsonString());

        var eval = CliRunner.Run("eval", "--run", RunFolder());
        Assert.That(eval.ExitCode, Is.EqualTo(2));
        Assert.That(eval.Error, Does.Contain($"'{config}' is not a valid DeepRL run config: {problem}."));
        Assert.That(eval.Error, Does.Not.Contain("NullReferenceException"));
    }

    [TestCase("rng", "null", "rng must hold 4 numbers, not all zero (got null)")]
    [TestCase("rng", "[1, 2]", "rng must hold 4 numbers, not all zero (got [1, 2])")]
    [TestCase("rng", "[0, 0, 0, 0]", "rng must hold 4 numbers, not all zero (got [0, 0, 0, 0])")]
    [TestCase("learning_rate", "-1", "learning_rate must be a positive, finite number (got -1)")]
    public void Invalid_agent_json_in_a_checkpoint_is_refused_naming_file_and_field(string key, string value, string problem)
    {
        var r = CliRunner.Run(["train", "--out", _out, "--steps", "600", .. SmallDqn]);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        string latest = Path.Combine(RunFolder(), "checkpoints", "latest");
        string agent = Path.Combine(latest, "agent.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(agent))!.AsObject();
        json[key] = System.Text.Json.Nodes.JsonNode.Parse(value);
        File.WriteAllText(agent, json.ToJsonString());
        File.Delete(Path.Combine(latest, "manifest.json")); // an edit the checksums would catch first; here the field check must

        var resume = CliRunner.Run("train", "--resume", RunFolder(), "--steps", "900", "--no-progress");
        Assert.That(resume.ExitCode, Is.EqualTo(2), resume.Error);
        Assert.That(resume.Error, Does.Contain($"Checkpoint file '{agent}' is invalid: {problem}."));
        Assert.That(resume.Error, Does.Not.Contain("NullReferenceException"));
    }

    [TestCase("{\"learning_rate\": -0.5}", "learning_rate must be positive, got -0.5 (from config file '{0}').")]
    [TestCase("{\"buffer_size\": null}", "Hyperparameter buffer_size is null in config file '{0}'; give it a value or leave the key out to keep the default.")]
    [TestCase("{\"exploration_fraction\": \"a lot\"}", "Hyperparameter exploration_fraction (from config file '{0}') has the wrong type: \"a lot\"; expected number like its default.")]
    [TestCase("{\"net_arch\": [64, -3]}", "net_arch sizes must be positive (from config file '{0}').")]
    public void Invalid_hyperparameter_files_are_refused_naming_file_and_field(string contents, string message)
    {
        string file = Path.Combine(_out, "my.json");
        File.WriteAllText(file, contents);
        var r = CliRunner.Run("train", "--env", "CartPole-v1", "--config", file, "--out", _out, "--steps", "100");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("error: " + string.Format(message, file)));
        var set = CliRunner.Run("train", "--env", "CartPole-v1", "--set", "learning_rate=-1", "--out", _out, "--steps", "100");
        Assert.That(set.Error, Does.Contain("error: learning_rate must be positive, got -1 (from --set learning_rate=-1)."));
        Assert.That(Directory.GetDirectories(_out), Is.Empty, "no run folder for a refused configuration");
    }

    [Test]
    public void Broken_environments_get_one_clear_message_and_exit_2_in_train_and_check_env()
    {
        var registry = DeepRL.Environments.EnvRegistry.Default;
        if (!registry.Contains("ThrowingCtor-v0"))
            registry.Register(new DeepRL.Environments.EnvSpec("ThrowingCtor-v0", _ => throw new InvalidOperationException("map file missing")));
        if (!registry.Contains("ShortObs-v0"))
            registry.Register(new DeepRL.Environments.EnvSpec("ShortObs-v0", _ => new ShortObservationEnv(), 50));

        foreach (var command in new[] { "train", "check-env" })
        {
            string[] extra = command == "train" ? ["--out", _out] : [];
            var ctor = CliRunner.Run([command, "--env", "ThrowingCtor-v0", .. extra]);
            Assert.That(ctor.ExitCode, Is.EqualTo(2), ctor.Error);
            Assert.That(ctor.Error, Does.Contain("Environment ThrowingCtor-v0 could not be created: its constructor threw InvalidOperationException: map file missing. Fix the environment's code"));
        }
        var train = CliRunner.Run("train", "--env", "ShortObs-v0", "--algo", "ppo", "--out", _out, "--no-progress");
        Assert.That(train.ExitCode, Is.EqualTo(2), train.Error);
        Assert.That(train.Error, Does.Contain("ShortObs-v0.Step() returned an observation of 1 values, but its observation space Box(").And.Contain("has 2"));
        var check = CliRunner.Run("check-env", "--env", "ShortObs-v0");
        Assert.That(check.ExitCode, Is.Not.Zero);
        Assert.That(check.Output, Does.Contain("step 0: observation has 1 values; ObservationSpace Box(").And.Contain("needs 2"));
    }

    [Test]
    public void Observations_outside_the_declared_space_are_one_clear_message_in_train_and_check_env()
    {
        var registry = DeepRL.Environments.EnvRegistry.Default;
        if (!registry.Contains("Drifting-v0"))
            registry.Register(new DeepRL.Environments.EnvSpec("Drifting-v0", _ => new DriftingEnv(), 50));
        var train = CliRunner.Run("train", "--out", _out, "--env", "Drifting-v0", "--algo", "ppo", "--steps", "2000", "--no-progress", "--eval-every", "0");
        Assert.That(train.ExitCode, Is.EqualTo(2), train.Error);
        Assert.That(train.Error, Does.Contain("Drifting-v0.Step() returned an observation outside its observation space: value 1.5 at index 0 is not in [-1, 1] (env 0, step 3 of its episode). Clip the observation into the space, or declare wider bounds."));
        var check = CliRunner.Run("check-env", "--env", "Drifting-v0");
        Assert.That(check.ExitCode, Is.Not.Zero);
        Assert.That(check.Output, Does.Contain("step 2: observation [1.5] is outside Box("));
    }

    /// <summary>Declares observations in [−1, 1] but drifts past 1 at the third step.</summary>
    private sealed class DriftingEnv : DeepRL.Environments.IEnvironment
    {
        private readonly float[] _obs = [0f];

        public DeepRL.Environments.Spaces.Box ObservationSpace { get; } = new([1], [-1f], [1f]);

        public DeepRL.Environments.Spaces.Space ActionSpace { get; } = new DeepRL.Environments.Spaces.Discrete(2);

        public DeepRL.Environments.EnvSpec? Spec { get; set; }

        public DeepRL.Environments.ResetResult Reset(int? seed = null)
        {
            _obs[0] = 0f;
            return new(_obs, DeepRL.Environments.Info.Empty);
        }

        public DeepRL.Environments.StepResult Step(DeepRL.Environments.EnvAction action)
        {
            _obs[0] += 0.5f;
            return new(_obs, 1f, false, false, DeepRL.Environments.Info.Empty);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Declares 2 observation values, returns 1 from Step.</summary>
    private sealed class ShortObservationEnv : DeepRL.Environments.IEnvironment
    {
        public DeepRL.Environments.Spaces.Box ObservationSpace { get; } = new([2], [-1f, -1f], [1f, 1f]);

        public DeepRL.Environments.Spaces.Space ActionSpace { get; } = new DeepRL.Environments.Spaces.Discrete(2);

        public DeepRL.Environments.EnvSpec? Spec { get; set; }

        public DeepRL.Environments.ResetResult Reset(int? seed = null) => new([0f, 0f], DeepRL.Environments.Info.Empty);

        public DeepRL.Environments.StepResult Step(DeepRL.Environments.EnvAction action) => new([0f], 1f, false, false, DeepRL.Environments.Info.Empty);

        public void Dispose()
        {
        }
    }

    [TestCase("ppo")]
    [TestCase("dqn")]
    [TestCase("a2c")]
    [TestCase("a3c")]
    public void A_non_finite_loss_stops_by_default_and_is_skipped_with_on_nan_skip(string algo)
    {
        // Rewards of 3e38 are finite, but their squared errors overflow: the loss and gradients become ∞/NaN.
        var registry = DeepRL.Environments.EnvRegistry.Default;
        if (!registry.Contains("HugeReward-v0"))
            registry.Register(new DeepRL.Environments.EnvSpec("HugeReward-v0", _ => new NanRewardEnv(3e38f), 50));
        string[] common = ["train", "--out", _out, "--env", "HugeReward-v0", "--algo", algo, "--steps", "3000", "--no-progress", "--eval-every", "0",
            "--final-eval-episodes", "2", "--set", "learning_starts=100"];
        if (algo != "dqn") common = common[..^2];
        var stopped = CliRunner.Run(common);
        Assert.That(stopped.ExitCode, Is.EqualTo(2), stopped.Error);
        Assert.That(stopped.Error, Does.Contain("The gradient norm is").And.Contain("Training stopped; the last checkpoint is kept"));

        var skipped = CliRunner.Run([.. common, "--on-nan", "skip"]);
        Assert.That(skipped.ExitCode, Is.Zero, skipped.Error);
        Assert.That(skipped.Error, Does.Match(@"Skipped \d+ update\(s\) at step \d+ \(\d+ so far\) because the gradient norm is (nan|∞|-∞|infinity)"));
        string run = Directory.GetDirectories(_out).OrderBy(Directory.GetCreationTimeUtc).Last();
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        Assert.That(summary.RootElement.GetProperty("status").GetString(), Is.EqualTo("completed"));
        Assert.That(summary.RootElement.GetProperty("skipped_updates").GetInt64(), Is.GreaterThan(0));
        Assert.That(double.IsFinite(summary.RootElement.GetProperty("final_eval").GetProperty("mean_return").GetDouble()), Is.True,
            "the weights stayed finite: the bad updates were never applied");
    }

    /// <summary>
    /// At the 7th step of every episode: reward <paramref name="reward"/> (NaN unless given), or with
    /// <paramref name="nanObservation"/> a NaN observation and a normal reward.
    /// </summary>
    private sealed class NanRewardEnv(float reward = float.NaN, bool nanObservation = false) : DeepRL.Environments.IEnvironment
    {
        private int _t;
        private readonly float[] _obs = [0f];
        private readonly float[] _nanObs = [float.NaN];

        public DeepRL.Environments.Spaces.Box ObservationSpace { get; } = new([1], [-1f], [1f]);

        public DeepRL.Environments.Spaces.Space ActionSpace { get; } = new DeepRL.Environments.Spaces.Discrete(2);

        public DeepRL.Environments.EnvSpec? Spec { get; set; }

        public DeepRL.Environments.ResetResult Reset(int? seed = null)
        {
            _t = 0;
            return new(_obs, DeepRL.Environments.Info.Empty);
        }

        public DeepRL.Environments.StepResult Step(DeepRL.Environments.EnvAction action) =>
            ++_t != 7 ? new(_obs, 1f, false, false, DeepRL.Environments.Info.Empty)
            : nanObservation ? new(_nanObs, 1f, false, false, DeepRL.Environments.Info.Empty)
            : new(_obs, reward, false, false, DeepRL.Environments.Info.Empty);

        public void Dispose()
        {
        }
    }
}
