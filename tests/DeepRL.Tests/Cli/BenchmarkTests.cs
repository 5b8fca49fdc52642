using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DeepRL.Agents.Benchmarking;
using SkiaSharp;

namespace DeepRL.Tests.Cli;

/// <summary><c>deeprl benchmark</c> end to end: a CI-sized grid, its CSV, summary and plots; a killed cell and --resume.</summary>
[Category("Process")]
public class BenchmarkTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-bench-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void A_small_grid_writes_rows_that_match_its_runs_a_summary_and_plots()
    {
        string folder = Path.Combine(_dir, "bench");
        var r = CliRunner.RunProcess(TimeSpan.FromMinutes(5), "benchmark", "--envs", "CartPole-v1", "--algos", "ppo,a2c", "--seeds", "2", "--steps", "3000",
            "--eval-every", "1000", "--eval-episodes", "5", "--parallel", "2", "--out", folder, "--no-progress");
        Assert.That(r.ExitCode, Is.Zero, r.Output + r.Error);
        Assert.That(r.Output, Does.Contain("4/4 cells finished"));

        var rows = File.ReadAllLines(Path.Combine(folder, "results.csv"));
        Assert.That(rows[0], Is.EqualTo("env,algo,seed,status,final_return,best_return,auc,steps,wall_clock_s,fps,reward_threshold,steps_to_threshold,seconds_to_threshold,node"));
        var cells = rows.Skip(1).Select(line => line.Split(',')).ToList();
        Assert.That(cells.Select(c => $"{c[1]}/{c[2]}"), Is.EquivalentTo(new[] { "ppo/1", "ppo/2", "a2c/1", "a2c/2" }));
        foreach (var c in cells)
        {
            // Every value recomputed from the cell's own run folder.
            string run = Path.Combine(folder, "runs", $"CartPole-v1__{c[1]}__{c[2]}");
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
            var root = summary.RootElement;
            Assert.That(c[0], Is.EqualTo("CartPole-v1"));
            Assert.That(c[3], Is.EqualTo(root.GetProperty("status").GetString()));
            Assert.That(D(c[4]), Is.EqualTo(root.GetProperty("final_eval").GetProperty("mean_return").GetDouble()), "final return = the final report's mean");
            Assert.That(D(c[5]), Is.EqualTo(root.GetProperty("best_eval").GetProperty("mean_return").GetDouble()));
            Assert.That(long.Parse(c[7], CultureInfo.InvariantCulture), Is.EqualTo(3000));
            Assert.That(D(c[10]), Is.EqualTo(475));
            var curve = File.ReadAllLines(Path.Combine(run, "evaluations.csv")).Skip(1).Select(l => l.Split(','))
                .Select(f => (Step: D(f[0]), Mean: D(f[1]))).ToList();
            Assert.That(curve.Select(p => p.Step), Is.EqualTo(new double[] { 1000, 2000, 3000 }));
            double area = 0;
            for (int i = 1; i < curve.Count; i++) area += (curve[i].Step - curve[i - 1].Step) * (curve[i].Mean + curve[i - 1].Mean) / 2;
            Assert.That(D(c[6]), Is.EqualTo(area / 2000).Within(1e-9), "AUC = average evaluation return over the curve");
            Assert.That(c[11], Is.Empty, "CartPole is not solved in 3000 steps, so no steps-to-threshold");
        }

        string summaryMd = File.ReadAllText(Path.Combine(folder, "summary.md"));
        foreach (var algo in new[] { "ppo", "a2c" })
        {
            var finals = cells.Where(c => c[1] == algo).Select(c => D(c[4])).ToList();
            double mean = finals.Average(), std = Math.Sqrt(finals.Sum(v => (v - mean) * (v - mean)) / (finals.Count - 1));
            // With two seeds the IQM is the mean, and every bootstrap resample's IQM is a, b or (a+b)/2: the CI is [min, max].
            string expected = $"| {algo} | 2/2 | {F(mean)} ± {F(std)} | {F(mean)} [{F(finals.Min())}, {F(finals.Max())}] |";
            Assert.That(summaryMd, Does.Contain(expected), $"summary row for {algo}");
        }
        Assert.That(summaryMd, Does.Contain("| CartPole-v1 | "), "the normalization table names the env's random and reference scores");

        foreach (var png in new[] { "CartPole-v1.png", "aggregate.png" }) AssertDrawn(Path.Combine(folder, "plots", png));

        // The live table, as it looks at the end: every cell done, with its step count and last evaluation.
        var spec = BenchmarkSpec.Read(folder);
        var view = new DeepRL.Cli.Benchmark.BenchmarkLiveView(folder, spec, new DeepRL.Cli.Benchmark.BenchmarkRunner(folder, spec, 2));
        var text = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
            { Out = new Spectre.Console.AnsiConsoleOutput(text), Ansi = Spectre.Console.AnsiSupport.No, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors });
        console.Profile.Width = 160;
        console.Write(view.Table(TimeSpan.FromSeconds(42)));
        Assert.That(text.ToString().Split('\n').Count(l => l.Contains("CartPole-v1") && l.Contains("completed") && l.Contains("3000/3000")), Is.EqualTo(4));
        Assert.That(text.ToString(), Does.Contain("elapsed 00:00:42 · 100% of the steps · ETA 00:00:00 · 2 at a time"));

        var report = CliRunner.RunProcess(TimeSpan.FromMinutes(2), "benchmark", "report", folder);
        Assert.That(report.ExitCode, Is.Zero, report.Error);
        Assert.That(File.ReadAllLines(Path.Combine(folder, "results.csv")), Is.EqualTo(rows), "report rebuilds the same results from the run folders");

        // --resume keeps the split the benchmark started with (it sets A3C's worker count), and warns when told otherwise.
        Assert.That(spec.Parallel, Is.EqualTo(2));
        var resumed = CliRunner.RunProcess(TimeSpan.FromMinutes(2), "benchmark", "--resume", folder, "--no-progress");
        Assert.That(resumed.Output + resumed.Error, Does.Contain("4 cells (1 env(s) × 2 algorithm(s) × 2 seed(s)), 2 at a time").And.Contain("4/4 cells finished"));
        var resplit = CliRunner.RunProcess(TimeSpan.FromMinutes(2), "benchmark", "--resume", folder, "--parallel", "1", "--no-progress");
        Assert.That(resplit.Output + resplit.Error, Does.Contain("1 at a time").And.Contain("This benchmark was started with --parallel 2"));
    }

    [TestCase("ppo")]
    [TestCase("dqn")]
    public void A_killed_cell_is_reported_the_grid_goes_on_and_resume_finishes_it_exactly(string algo)
    {
        string folder = Path.Combine(_dir, "bench");
        string[] grid = ["--envs", "CartPole-v1", "--algos", algo, "--steps", "16000", "--eval-every", "4000", "--eval-episodes", "5",
            "--checkpoint-every", "2000", "--parallel", "1", "--no-progress"];
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { CliRunner.ProgramPath, "benchmark", "--seeds", "2", "--out", folder }.Concat(grid))
            psi.ArgumentList.Add(a);
        using var benchmark = Process.Start(psi)!;
        var output = benchmark.StandardOutput.ReadToEndAsync();
        var error = benchmark.StandardError.ReadToEndAsync();

        // Kill seed 1's training process once it has a checkpoint, as an OOM killer or a crash would.
        string cell1 = $"CartPole-v1__{algo}__1", cell2 = $"CartPole-v1__{algo}__2";
        string pidFile = Path.Combine(folder, "logs", cell1 + ".pid");
        string latest = Path.Combine(folder, "runs", cell1, "checkpoints", "latest");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(File.Exists(pidFile) && Directory.Exists(latest)) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.That(File.Exists(pidFile) && Directory.Exists(latest), Is.True, "seed 1 started and saved a checkpoint");
        Process.GetProcessById(int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture)).Kill();

        Assert.That(benchmark.WaitForExit(180_000), Is.True);
        string text = output.Result + error.Result;
        Assert.That(benchmark.ExitCode, Is.EqualTo(1), "some cells did not finish: " + text);
        Assert.That(text, Does.Contain($"{cell1}: killed (signal 9)"));
        Assert.That(text, Does.Contain($"{cell2}: completed"), "the grid went on after the killed cell");
        Assert.That(text, Does.Contain($"deeprl benchmark --resume {folder}"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "summary.md")), Does.Contain($"- {cell1}: killed (signal 9)"));
        Assert.That(File.ReadAllLines(Path.Combine(folder, "results.csv"))[1], Does.StartWith($"CartPole-v1,{algo},1,killed (signal 9),"));

        var resumed = CliRunner.RunProcess(TimeSpan.FromMinutes(3), "benchmark", "--resume", folder, "--no-progress");
        Assert.That(resumed.ExitCode, Is.Zero, resumed.Output + resumed.Error);
        Assert.That(resumed.Output, Does.Contain("2/2 cells finished"));
        string log = File.ReadAllText(Path.Combine(folder, "logs", cell1 + ".log"));
        Assert.That(log, Does.Contain("$ deeprl train --resume"), "the killed cell continued from its checkpoint");
        Assert.That(log, Does.Match($@"Resuming {cell1} at step [1-9]\d*"));
        Assert.That(File.ReadAllLines(Path.Combine(folder, "results.csv"))[1], Does.StartWith($"CartPole-v1,{algo},1,completed,"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "logs", cell2 + ".log")), Does.Not.Contain("--resume"), "the finished cell was not run again");

        // The same cell never interrupted ends with the same bytes: a resumed grid reports the numbers an
        // uninterrupted one would (for DQN this needs the replay buffer in the checkpoints).
        string reference = Path.Combine(_dir, "reference");
        var uninterrupted = CliRunner.RunProcess(TimeSpan.FromMinutes(3), ["benchmark", "--seeds", "1", "--out", reference, .. grid]);
        Assert.That(uninterrupted.ExitCode, Is.Zero, uninterrupted.Output + uninterrupted.Error);
        foreach (var file in new[] { "model.pt", "optimizer.pt" })
            Assert.That(File.ReadAllBytes(Path.Combine(folder, "runs", cell1, "checkpoints", "latest", file)),
                Is.EqualTo(File.ReadAllBytes(Path.Combine(reference, "runs", cell1, "checkpoints", "latest", file))), file);
        Assert.That(EvaluationsWithoutTimes(Path.Combine(folder, "runs", cell1)), Is.EqualTo(EvaluationsWithoutTimes(Path.Combine(reference, "runs", cell1)))
            .And.Length.GreaterThanOrEqualTo(5), "the same evaluations (a header and one row every 4000 steps)");
    }

    /// <summary>evaluations.csv without its last column (wall-clock seconds).</summary>
    private static string[] EvaluationsWithoutTimes(string run) =>
        File.ReadAllLines(Path.Combine(run, "evaluations.csv")).Select(line => line[..line.LastIndexOf(',')]).ToArray();

    [Test]
    public void Bad_benchmark_input_gets_one_clear_line()
    {
        var unknownEnv = CliRunner.Run("benchmark", "--envs", "CartPol-v1", "--algos", "ppo", "--out", Path.Combine(_dir, "a"));
        Assert.That(unknownEnv.ExitCode, Is.EqualTo(2));
        Assert.That(unknownEnv.Error, Does.Contain("CartPol-v1").And.Contain("CartPole-v1"));
        var unknownAlgo = CliRunner.Run("benchmark", "--envs", "CartPole-v1", "--algos", "ppo,sac", "--out", Path.Combine(_dir, "b"));
        Assert.That(unknownAlgo.ExitCode, Is.EqualTo(2));
        Assert.That(unknownAlgo.Error, Does.Contain("sac"));
        var suite = CliRunner.Run("benchmark", "--suite", "atari", "--out", Path.Combine(_dir, "c"));
        Assert.That(suite.Error, Does.Contain("Unknown suite 'atari': the built-in suites are classic, minatar"));
        var notABenchmark = CliRunner.Run("benchmark", "--resume", _dir);
        Assert.That(notABenchmark.Error, Does.Contain("is not a benchmark folder: it has no benchmark.json"));
    }

    private static void AssertDrawn(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        Assert.That(bitmap, Is.Not.Null, png);
        Assert.That(bitmap.Width, Is.GreaterThan(400));
        var colors = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y += 4)
        for (int x = 0; x < bitmap.Width; x += 4)
            colors.Add(bitmap.GetPixel(x, y));
        Assert.That(colors.Count, Is.GreaterThan(20), $"{png} has content, not a blank image");
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString(Math.Abs(v) >= 100 ? "0.#" : "0.###", CultureInfo.InvariantCulture);
}

/// <summary>The statistics of the summary, against values computed independently here.</summary>
[Category("Fast")]
public class BenchmarkStatisticsTests
{
    [Test]
    public void Iqm_drops_a_quarter_from_each_end_like_scipy_trim_mean()
    {
        Assert.That(BenchmarkStatistics.InterquartileMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), Is.EqualTo(5.5)); // mean of 3…8
        Assert.That(BenchmarkStatistics.InterquartileMean([10, 1, 100, 5, 7]), Is.EqualTo((5 + 7 + 10) / 3.0)); // drops 1 and 100
        Assert.That(BenchmarkStatistics.InterquartileMean([4, 2]), Is.EqualTo(3));
    }

    [Test]
    public void Stratified_bootstrap_ci_matches_an_independent_implementation()
    {
        IReadOnlyList<IReadOnlyList<double>> tasks = [new double[] { 0.1, 0.4, 0.35, 0.8, 0.5 }, new double[] { 0.9, 0.7, 1.0, 0.2, 0.65 }];
        var (iqm, low, high) = BenchmarkStatistics.IqmWithBootstrapCi(tasks, repetitions: 20_000, seed: 3);

        var all = tasks.SelectMany(t => t).OrderBy(v => v).ToArray();
        double expectedIqm = all.Skip(2).Take(6).Average(); // 10 runs: drop 2 from each end
        Assert.That(iqm, Is.EqualTo(expectedIqm).Within(1e-12));

        // The same procedure written out separately, with .NET's generator: resample within each task, IQM, percentiles.
        var random = new Random(11);
        var estimates = new List<double>();
        for (int r = 0; r < 20_000; r++)
        {
            var sample = tasks.SelectMany(t => Enumerable.Range(0, t.Count).Select(_ => t[random.Next(t.Count)])).OrderBy(v => v).ToArray();
            estimates.Add(sample.Skip(2).Take(6).Average());
        }
        estimates.Sort();
        Assert.That(low, Is.EqualTo(estimates[(int)(0.025 * estimates.Count)]).Within(0.02));
        Assert.That(high, Is.EqualTo(estimates[(int)(0.975 * estimates.Count)]).Within(0.02));
        Assert.That(low, Is.LessThan(iqm).And.GreaterThan(0.2));
        Assert.That(high, Is.GreaterThan(iqm).And.LessThan(0.9));
    }

    [Test]
    public void Area_under_curve_and_normalization()
    {
        Assert.That(BenchmarkStatistics.NormalizedAreaUnderCurve([(0, 0), (100, 10), (300, 10)]), Is.EqualTo((500 + 2000) / 300.0).Within(1e-12));
        Assert.That(BenchmarkStatistics.Normalize(250, 20, 480), Is.EqualTo(0.5).Within(1e-12));
        var (steps, mean, low, high) = BenchmarkCurves.MeanWithCi([[(0, 0), (100, 10)], [(0, 2), (50, 4), (100, 6)]], gridStep: 50);
        Assert.That(steps, Is.EqualTo(new double[] { 0, 50, 100 }));
        Assert.That(mean, Is.EqualTo(new[] { 1.0, 4.5, 8.0 }), "runs are interpolated onto common steps (5 and 4 at step 50)");
        Assert.That(low[2], Is.EqualTo(6).Within(1e-9));
        Assert.That(high[2], Is.EqualTo(10).Within(1e-9));
        // A3C-like steps just past the grid: each snaps to the nearest grid point, never further than half a step.
        var snapped = BenchmarkCurves.MeanWithCi([[(1004, 1), (2010, 3)], [(1012, 5), (2001, 7)], [(1003, 9)]], gridStep: 1000);
        Assert.That(snapped.Steps, Is.EqualTo(new double[] { 1000, 2000 }));
        Assert.That(snapped.Mean[0], Is.EqualTo(5.0), "1000: each run's first value (1, 5, 9), all within half a step");
        double at2000 = (1 + 2 * 996.0 / 1006 + 5 + 2 * 988.0 / 989) / 2; // interpolated inside both ranges; the third run ended at 1003
        Assert.That(snapped.Mean[1], Is.EqualTo(at2000).Within(1e-12));
    }
}
