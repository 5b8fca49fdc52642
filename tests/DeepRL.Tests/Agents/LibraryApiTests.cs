using DeepRL.Environments;
using DeepRL.Environments.Classic;
using DeepRL.Environments.Wrappers;

namespace DeepRL.Tests.Agents;

/// <summary>Training from C# code: <see cref="DeepRL.Agent"/>.</summary>
[Category("Learning")]
public class LibraryApiTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-lib-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Ppo_learns_in_memory_predicts_saves_and_loads()
    {
        using var agent = Agent.Create("ppo", "CartPole-v1", new Dictionary<string, object> { ["total_timesteps"] = 25_000 });
        string cwd = Environment.CurrentDirectory;
        var before = Directory.GetFileSystemEntries(cwd).Length;
        var summary = agent.Learn();
        Assert.That(summary.Steps, Is.EqualTo(25_000));
        Assert.That(Directory.GetFileSystemEntries(cwd), Has.Length.EqualTo(before), "in-memory training writes no files");

        var stats = agent.Evaluate(episodes: 20);
        TestContext.Out.WriteLine($"eval {stats}");
        Assert.That(stats.MeanReturn, Is.GreaterThan(150), "random play averages about 22");

        using var env = EnvRegistry.Default.Make("CartPole-v1");
        var obs = env.Reset(seed: 5).Observation;
        int action = agent.Predict(obs);
        Assert.That(action, Is.InRange(0, 1));
        var batch = new float[3 * 4];
        for (int i = 0; i < 3; i++) obs.CopyTo(batch, i * 4);
        var actions = new int[3];
        agent.Predict(batch, 3, actions);
        Assert.That(actions, Is.All.EqualTo(action), "batch and single predictions agree");

        string saved = Path.Combine(_dir, "cartpole-ppo");
        agent.Save(saved);
        using var loaded = Agent.Load(saved);
        Assert.That(loaded.Algo, Is.EqualTo("ppo"));
        Assert.That(loaded.Predict(obs), Is.EqualTo(action));
        Assert.That(loaded.Evaluate(episodes: 20).MeanReturn, Is.EqualTo(stats.MeanReturn), "same weights, same seeds, same result");
    }

    [Test]
    public void Train_writes_a_named_run_that_resume_continues_and_a_cancelled_token_stops()
    {
        var options = new DeepRL.Agents.Training.RunOptions
        {
            EnvId = "CartPole-v1",
            Algo = "ppo",
            Seed = 3,
            EvalEvery = 0,
            FinalEvalEpisodes = 0,
            CheckpointEvery = 2048,
            Hyperparameters = DeepRL.Agents.AgentCatalog.ResolveHyperparameters("ppo", "CartPole-v1", null, ["total_timesteps=4096"]),
        };
        string folder = Path.Combine(_dir, "first");
        using (var agent = Agent.Create(options))
        {
            var first = agent.Train(_dir, "first");
            Assert.That((first.Status, first.Steps, agent.RunFolder), Is.EqualTo(("completed", 4096L, folder)));
            Assert.That(File.Exists(Path.Combine(folder, "config.json")), Is.True);
            Assert.Throws<ArgumentException>(() => agent.Train(_dir, "first"), "a run folder is never overwritten");
        }
        using (var resumed = Agent.Resume(folder, totalSteps: 8192))
        {
            var more = resumed.Train();
            Assert.That((more.Status, more.Steps, resumed.RunFolder), Is.EqualTo(("completed", 8192L, folder)), "the same folder, trained further");
        }
        using var cancelled = Agent.Create(options);
        var stopped = cancelled.Train(_dir, "stopped", stop: new CancellationToken(canceled: true));
        Assert.That(stopped.Status, Is.EqualTo("interrupted"));
        Assert.That(stopped.Steps, Is.LessThan(4096));
        Assert.That(stopped.Resume, Is.EqualTo(Path.Combine(_dir, "stopped")), "and says which folder to resume");
    }

    [Test]
    public void A_custom_environment_factory_trains_without_registration()
    {
        using var agent = Agent.Create("a2c", () => new TimeLimit(new CartPole(), 200), new Dictionary<string, object> { ["total_timesteps"] = 20_000 },
            name: "MyPole-v0");
        agent.Learn();
        Assert.That(agent.EnvId, Is.EqualTo("MyPole-v0"));
        Assert.That(EnvRegistry.Default.Contains("MyPole-v0"), Is.False, "the factory stays private to the agent");
        using var env = new TimeLimit(new CartPole(), 200);
        Assert.That(agent.Evaluate(episodes: 10, env: env).MeanReturn, Is.GreaterThan(100));
    }

    [Test]
    public void Callbacks_see_steps_episodes_and_evaluations_and_can_stop_training()
    {
        using var agent = Agent.Create("dqn", "CartPole-v1", new Dictionary<string, object> { ["learning_starts"] = 100, ["net_arch"] = new[] { 16 } });
        long steps = 0;
        int episodes = 0;
        var summary = agent.Learn(50_000, new LearnOptions
        {
            OnStep = s => ++steps > 0,
            OnEpisode = (ret, len, step) => ++episodes < 10,
        });
        Assert.That(episodes, Is.EqualTo(10), "stopped by the episode callback");
        Assert.That(summary.Status, Is.EqualTo("interrupted"));
        Assert.That(summary.Steps, Is.EqualTo(steps));

        int evaluations = 0;
        agent.Learn(5_000, new LearnOptions { EvalEvery = 1000, EvalEpisodes = 2, OnEvaluation = e => ++evaluations < 2 });
        Assert.That(evaluations, Is.EqualTo(2), "stopped by the evaluation callback");
    }

    [Test]
    public void A_run_folder_gives_the_usual_run_directory()
    {
        using var agent = Agent.Create("a3c", "CartPole-v1", new Dictionary<string, object> { ["workers"] = 2, ["net_arch"] = new[] { 16 } });
        agent.Learn(3000, new LearnOptions { RunFolder = _dir, FinalEvalEpisodes = 3 });
        string run = Directory.GetDirectories(_dir).Single();
        Assert.That(File.Exists(Path.Combine(run, "summary.json")) && File.Exists(Path.Combine(run, "metrics.csv")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(run, "checkpoints", "latest")), Is.True);

        // Loading from the run: its latest checkpoint holds the weights the agent ended with; the run folder itself
        // gives the checkpoint its final report recommends.
        using var env = EnvRegistry.Default.Make("CartPole-v1");
        var observations = Enumerable.Range(0, 20).Select(i => env.Reset(seed: 100 + i).Observation.ToArray()).ToList();
        using var latest = Agent.Load(Path.Combine(run, "checkpoints", "latest"));
        Assert.That((latest.Algo, latest.EnvId), Is.EqualTo(("a3c", "CartPole-v1")));
        Assert.That(observations.Select(o => latest.Predict(o)), Is.EqualTo(observations.Select(o => agent.Predict(o))));
        string recommended = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement.GetProperty("recommended").GetString()!;
        using var fromRun = Agent.Load(run);
        using var named = Agent.Load(Path.Combine(run, "checkpoints", recommended));
        Assert.That(observations.Select(o => fromRun.Predict(o)), Is.EqualTo(observations.Select(o => named.Predict(o))));
    }

    [Test]
    public void Bad_input_gets_clear_errors()
    {
        using var agent = Agent.Create("ppo", "CartPole-v1");
        var wrong = Assert.Throws<ArgumentException>(() => agent.Predict(new float[3]));
        Assert.That(wrong!.Message, Does.StartWith("Expected 1 observation(s) of 4 values (4 in all), got 3."));
        var mismatch = Assert.Throws<ArgumentException>(() => agent.Evaluate(env: EnvRegistry.Default.Make("Pendulum-v1")));
        Assert.That(mismatch!.Message, Does.Contain("This agent was trained on CartPole-v1"));
        Assert.That(() => Agent.Create("sac", "CartPole-v1"), Throws.ArgumentException.With.Message.Contains("available: dqn, ppo, a2c, a3c, impala"));
        Assert.That(() => Agent.Load(Path.Combine(_dir, "nothing")), Throws.TypeOf<DirectoryNotFoundException>());
    }

    [Test]
    public void The_library_sample_in_examples_runs()
    {
        string dll = Path.Combine(Cli.CliRunner.RepoRoot, "examples", "LibraryUsage", "bin", "Release", "net10.0", "linux-x64", "DeepRL.Examples.LibraryUsage.dll");
        Assert.That(File.Exists(dll), Is.True, $"build the solution first: {dll}");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("6000");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.That(p.WaitForExit(180_000), Is.True);
        Assert.That(p.ExitCode, Is.Zero, error.Result);
        Assert.That(output.Result, Does.Contain("trained ").And.Contain("one greedy episode: return").And.Contain("loaded agent: mean return")
            .And.Contain("custom env: mean return"));
        Assert.That(Directory.Exists(Path.Combine(_dir, "cartpole-ppo")), Is.True, "the sample saved its agent");
    }
}
