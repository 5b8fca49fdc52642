using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DeepRL.Agents.Training;

namespace DeepRL.Tests.Cli;

/// <summary>
/// What happens to a run when the process is killed, signalled, or its files are damaged: the real program in a
/// child process, as a user (or a scheduler) would run it.
/// </summary>
public class ReliabilityTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-reliability-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    private static readonly string[] SmallDqn =
        ["--env", "CartPole-v1", "--algo", "dqn", "--set", "learning_starts=200", "--set", "net_arch=16", "--eval-every", "0",
         "--eval-episodes", "2", "--final-eval-episodes", "2", "--no-progress"];

    private Process Start(IEnumerable<string> args, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliRunner.ProgramPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new()) psi.Environment[k] = v;
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

    private static long CheckpointStep(string run) => TrainingRun.CheckpointStep(Path.Combine(run, "checkpoints", "latest"));

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
        _ = p.StandardError.ReadToEndAsync();
        WaitFor(() => Directory.GetDirectories(_out).Length == 1 && File.Exists(Path.Combine(RunFolder(), "metrics.csv"))
                      && File.ReadAllLines(Path.Combine(RunFolder(), "metrics.csv")).Length > 30, "training to start");
        Signal(p, signal);
        Assert.That(p.WaitForExit(60_000), Is.True, "the run stops after the signal");
        Assert.That(p.ExitCode, Is.EqualTo(130));
        Assert.That(stdout.Result, Does.Contain("status: interrupted").And.Contain("resume with: deeprl train --resume"));
        string run = RunFolder();
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;
        Assert.That(summary.GetProperty("status").GetString(), Is.EqualTo("interrupted"));
        Assert.That(CheckpointStep(run), Is.EqualTo(summary.GetProperty("steps").GetInt64()), "latest holds every finished step");
    }

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
                   new() { ["DEEPRL_TEST_PAUSE_AT"] = stage, ["DEEPRL_TEST_PAUSE_MARKER"] = marker }))
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
    public void A_flipped_byte_in_a_checkpoint_file_is_reported_by_name(string file)
    {
        var r = CliRunner.Run(["train", "--out", _out, "--steps", "600", .. SmallDqn]);
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
}
