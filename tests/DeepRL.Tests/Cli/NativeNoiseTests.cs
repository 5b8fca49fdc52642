namespace DeepRL.Tests.Cli;

/// <summary>
/// libtorch writes to stderr directly. On CPUs NNPACK does not support it logged a warning on every convolution of
/// DQN's acting (one line per env step); the first CNN built now switches NNPACK off there (NnpackSwitch).
/// </summary>
[Category("Process")]
public class NativeNoiseTests
{
    [Test]
    public void A_cnn_run_leaves_at_most_one_nnpack_line_on_stderr()
    {
        string dir = Directory.CreateTempSubdirectory("deeprl-nnpack-").FullName;
        try
        {
            var r = CliRunner.RunProcess(TimeSpan.FromMinutes(3), "train", "--algo", "dqn", "--env", "MinAtar/Breakout-v1", "--steps", "1000",
                "--set", "learning_starts=500", "--eval-every", "0", "--final-eval-episodes", "5", "--no-progress", "--out", dir);
            Assert.That(r.ExitCode, Is.Zero, r.Error);
            int lines = r.Error.Split('\n').Count(l => l.Contains("NNPACK", StringComparison.Ordinal));
            Assert.That(lines, Is.LessThanOrEqualTo(1), "one check at most, not one line per convolution");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
