using System.Text.Json;

namespace DeepRL.Tests.Cluster;

/// <summary>
/// IMPALA with its actors on DeepRL cluster nodes — real processes on loopback: a learner (`deeprl train --algo impala
/// --actors 0 --cluster`) and `deeprl node` processes that run its actors.
/// </summary>
[Category("Process")]
[NonParallelizable]
public class ClusterImpalaTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-impala-cluster-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Folder(string name) => Path.Combine(_dir, name);

    private DeepRlProcess Learner(string join, params string[] more) => DeepRlProcess.Start(
        ["train", "--env", "CartPole-v1", "--algo", "impala", "--actors", "0", "--cluster", join, "--out", Folder("runs"), "--no-progress", .. more]);

    private static JsonElement Summary(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;

    [Test]
    public void Cartpole_is_learned_with_all_actors_on_two_node_processes()
    {
        using var a = DeepRlProcess.Node("a", Folder("a"));
        using var b = DeepRlProcess.Node("b", Folder("b"), join: a.Endpoint);
        using var learner = Learner(a.Endpoint!, "--actors-per-node", "1", "--steps", "100000", "--eval-every", "10000", "--final-eval-episodes", "20", "--seed", "2");
        Assert.That(learner.WaitForExit(RunTimeout), Is.Zero, learner.Output);
        Assert.That(learner.Output, Does.Contain("Node a joined the run").And.Contain("Node b joined the run"));
        foreach (var node in new[] { a, b }) Assert.That(node.Output, Does.Contain("Running IMPALA actors"));

        var summary = Summary(Directory.GetDirectories(Folder("runs")).Single());
        double best = summary.GetProperty("best_eval").GetProperty("mean_return").GetDouble();
        TestContext.Out.WriteLine($"best {best}; {summary.GetProperty("algorithm_statistics")}");
        Assert.That(best, Is.GreaterThan(150), "random play averages about 22");
        Assert.That(summary.GetProperty("algorithm_statistics").GetProperty("actor_steps").GetDouble(), Is.GreaterThanOrEqualTo(100_000),
            "every step trained on came from the nodes (no local actors)");
        Assert.That(learner.Output, Does.Match(@"IMPALA cluster traffic: [\d,]+ bytes of unrolls received, [\d,]+ bytes of weights sent"));
    }

    [Test]
    public void A_killed_node_is_dropped_a_joining_node_adds_actors_and_the_stopped_learner_resumes()
    {
        using var a = DeepRlProcess.Node("a", Folder("a"));
        using var b = DeepRlProcess.Node("b", Folder("b"), join: a.Endpoint);
        using (var learner = Learner(a.Endpoint!, "--actors-per-node", "1", "--steps", "5000000", "--eval-every", "0", "--checkpoint-every", "5000"))
        {
            learner.WaitFor("Node a joined the run", RunTimeout);
            learner.WaitFor("Node b joined the run", RunTimeout);
            Thread.Sleep(2000);
            b.Kill();
            learner.WaitFor(@"Node b (is unreachable|left the cluster): dropped its 1 actor\(s\); the run goes on with 1", TimeSpan.FromSeconds(60));

            using var c = DeepRlProcess.Node("c", Folder("c"), join: a.Endpoint);
            learner.WaitFor("Node c joined the run", TimeSpan.FromSeconds(60));
            c.WaitFor("Running IMPALA actors", TimeSpan.FromSeconds(30));
            Thread.Sleep(3000);
            learner.Signal("TERM");
            Assert.That(learner.WaitForExit(TimeSpan.FromMinutes(2)), Is.EqualTo(130), learner.Output);
            Assert.That(learner.Output, Does.Contain("stopping, saving a resumable checkpoint").And.Contain("resume with: deeprl train --resume"));
        }
        string run = Directory.GetDirectories(Folder("runs")).Single();
        var interrupted = Summary(run);
        Assert.That(interrupted.GetProperty("status").GetString(), Is.EqualTo("interrupted"));
        long stoppedAt = interrupted.GetProperty("steps").GetInt64();
        double updates = interrupted.GetProperty("algorithm_statistics").GetProperty("updates").GetDouble();

        using var resumed = DeepRlProcess.Start(["train", "--resume", run, "--steps", (stoppedAt + 10_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--cluster", a.Endpoint!, "--no-progress"]);
        Assert.That(resumed.WaitForExit(RunTimeout), Is.Zero, resumed.Output);
        Assert.That(resumed.Output, Does.Contain("IMPALA resumes from the saved weights").And.Contain("Node a joined the run"));
        var done = Summary(run);
        Assert.That(done.GetProperty("status").GetString(), Is.EqualTo("completed"));
        Assert.That(done.GetProperty("steps").GetInt64(), Is.GreaterThanOrEqualTo(stoppedAt + 10_000));
        Assert.That(done.GetProperty("algorithm_statistics").GetProperty("updates").GetDouble(), Is.GreaterThan(updates), "the learner's version counts on");
    }
}
