using System.Text.RegularExpressions;
using DeepRL.Agents.Training;
using DeepRL.Cli;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace DeepRL.Tests.Cli;

/// <summary>What the user sees in a terminal: the progress line, parse errors, and numbers near thresholds.</summary>
[Category("Fast")]
public partial class TerminalTests
{
    private static TrainingStatus Status(long step = 123_456, double elapsed = 754) =>
        new(step, 1_000_000, 4321, 9876.5, 187.2, 201.5, 480.75, elapsed);

    [TestCase(80)]
    [TestCase(60)]
    [TestCase(40)]
    [TestCase(200)]
    public void Progress_line_fits_the_terminal_width(int width)
    {
        string line = ProgressLine.Format(Status(), width);
        Assert.That(line.Length, Is.LessThan(width), line);
        Assert.That(line, Does.Contain("12%").And.Contain("12:34<"), "percentage, elapsed and remaining come first");
    }

    [Test]
    public void Progress_line_at_80_columns_keeps_step_return_and_eval()
    {
        string line = ProgressLine.Format(Status(), 80);
        Assert.That(line, Does.Contain("step 123k/1M").And.Contain("return 187.2"), line);
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    [Test]
    public void Live_progress_in_an_80_column_terminal_stays_on_one_line()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = 80;
        var observer = new ConsoleTrainingObserver(console, NullLogger.Instance, interactive: true);
        observer.Run(() =>
        {
            for (int i = 1; i <= 5; i++) observer.Progress(Status(step: i * 200_000, elapsed: i * 3725));
            return 0;
        });

        var lines = AnsiEscape().Replace(writer.ToString(), "").Split('\n').Select(l => l.TrimEnd('\r', ' ')).Where(l => l.Length > 0).ToList();
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines, Has.All.Length.LessThanOrEqualTo(80));
        Assert.That(lines.Where(l => Regex.IsMatch(l, @"^\s*[\d:<]{1,3}\s*$")), Is.Empty, "no vertical columns of digits");
        Assert.That(lines[^1], Does.Contain("100%").And.Contain("5:10:25<"), "the final state on one line: " + lines[^1]);
    }

    [Test]
    public void Typed_option_parse_errors_are_one_line_in_plain_words()
    {
        var r = CliRunner.Run("train", "--env", "CartPole-v1", "--seed", "abc");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("error: --seed expects a whole number, got 'abc'."));
        Assert.That(r.Error, Does.Not.Contain("System.").And.Not.Contain("Usage:").And.Not.Contain("Options:"));
        Assert.That(r.Error.Trim().Split('\n'), Has.Length.LessThanOrEqualTo(2), r.Error);
    }

    [TestCase("1e5", 100_000)]
    [TestCase("100k", 100_000)]
    [TestCase("2.5M", 2_500_000)]
    [TestCase("100_000", 100_000)]
    [TestCase("300", 300)]
    public void Step_counts_accept_scientific_and_suffixed_forms(string text, long expected)
    {
        Assert.That(StepCount.TryParse(text, out long v, out _), Is.True);
        Assert.That(v, Is.EqualTo(expected));
    }

    [TestCase("1.5")]
    [TestCase("-3")]
    [TestCase("lots")]
    [TestCase("2x")]
    public void Bad_step_counts_are_refused_in_our_words(string text)
    {
        var r = CliRunner.Run("train", "--env", "CartPole-v1", "--steps", text);
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.StartWith("error: --steps: '").And.Not.Contain("System."));
    }

    [Test]
    public void Steps_written_as_1e3_train_for_that_many_steps()
    {
        string outDir = Directory.CreateTempSubdirectory("deeprl-steps-").FullName;
        try
        {
            var r = CliRunner.Run("train", "--env", "CartPole-v1", "--steps", "1e3", "--eval-every", "0", "--eval-episodes", "2",
                "--final-eval-episodes", "0", "--set", "learning_starts=200", "--set", "net_arch=8", "--out", outDir, "--no-progress");
            Assert.That(r.ExitCode, Is.Zero, r.Error);
            Assert.That(r.Output, Does.Contain("after 1000 steps"));
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [TestCase(0.95, 0.9, "0.95")]
    [TestCase(474.96, 475.0, "474.96")]
    [TestCase(475.0, 475.0, "475.0")]
    [TestCase(500.0, 475.0, "500.0")]
    [TestCase(0.8999, 0.9, "0.8999")]
    [TestCase(0.955, 0.9, "0.955")]
    public void Values_printed_against_a_threshold_keep_their_side_of_it(double value, double threshold, string expected) =>
        Assert.That(Numbers.Against(value, threshold), Is.EqualTo(expected));

    [Test]
    public void Small_returns_are_not_rounded_to_one_decimal() => Assert.That(Numbers.Short(0.95), Is.EqualTo("0.95"));

    [Test]
    public void Cli_logs_go_to_the_error_writer_not_the_process_console()
    {
        var r = CliRunner.Run("eval", "--env", "CartPole-v1", "--agent", "random", "--episodes", "2");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Error, Does.Contain("Evaluating random on CartPole-v1"), "the caller's writer receives the log line");
    }
}
