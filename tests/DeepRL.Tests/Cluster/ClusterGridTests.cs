using System.Globalization;
using System.Security.Cryptography;
using DeepRL.Tests.Cli;

namespace DeepRL.Tests.Cluster;

/// <summary>
/// Benchmark grids on a DeepRL cluster of real processes on loopback (a coordinator and two single-slot nodes): the same
/// rows and weights as the same grid run locally, with a node SIGKILLed, frozen, cut off the network (in a network
/// namespace of the test's own) or stopped in the middle, and with the coordinator stopped and resumed.
/// </summary>
[Category("Process")]
[NonParallelizable]
public class ClusterGridTests
{
    private static readonly TimeSpan GridTimeout = TimeSpan.FromMinutes(5);

    /// <summary>2 envs × 2 algorithms × 2 seeds, short budgets, one torch thread per cell (so a cell is deterministic).</summary>
    private static readonly string[] Grid =
        ["--envs", "CartPole-v1,GridWorld-Empty-8x8-v0", "--algos", "ppo,dqn", "--seeds", "2", "--steps", "6000", "--eval-every", "2000",
         "--eval-episodes", "3", "--checkpoint-every", "1000", "--set", "torch_threads=1", "--no-progress"];

    private string _dir = "";
    private string _reference = "";

    [OneTimeSetUp]
    public void RunTheLocalGrid()
    {
        _dir = Directory.CreateTempSubdirectory("deeprl-cluster-").FullName;
        _reference = Path.Combine(_dir, "local");
        var local = CliRunner.RunProcess(GridTimeout, ["benchmark", "--out", _reference, "--parallel", "2", .. Grid]);
        Assert.That(local.ExitCode, Is.Zero, local.Output + local.Error);
    }

    [OneTimeTearDown]
    public void RemoveFolders() => Directory.Delete(_dir, recursive: true);

    private string Folder(string name) => Path.Combine(_dir, name);

    [Test]
    public void A_grid_on_two_nodes_gives_the_local_grids_rows_and_weights()
    {
        using var a = DeepRlProcess.Node("a", Folder("a-work"));
        using var b = DeepRlProcess.Node("b", Folder("b-work"), join: a.Endpoint);
        string folder = Folder("cluster");
        using var coordinator = StartGrid(folder, a);
        Assert.That(coordinator.WaitForExit(GridTimeout), Is.Zero, coordinator.Output);
        Assert.That(coordinator.Output, Does.Contain("8/8 cells finished"));

        AssertSameResults(folder);
        var nodes = Rows(folder).Select(r => r[^1]).ToList();
        Assert.That(nodes, Has.All.AnyOf("a", "b"), "results.csv names the node of each cell");
        Assert.That(nodes, Has.Member("a").And.Member("b"), "both nodes worked");
        foreach (var node in new[] { a, b }) Assert.That(node.Output, Does.Contain("Working for the coordinator at"));

        // The folder is a benchmark folder like any other: report rebuilds the same results from its run folders.
        var report = CliRunner.RunProcess(TimeSpan.FromMinutes(2), "benchmark", "report", folder);
        Assert.That(report.ExitCode, Is.Zero, report.Output + report.Error);
        AssertSameResults(folder);
    }

    [Test]
    public void A_node_killed_mid_grid_is_detected_and_its_cells_resume_elsewhere_with_the_same_numbers()
    {
        using var a = DeepRlProcess.Node("a", Folder("kill-a"));
        using var b = DeepRlProcess.Node("b", Folder("kill-b"), join: a.Endpoint);
        string folder = Folder("kill");
        using var coordinator = StartGrid(folder, a);

        // Kill node b once a cell it runs has shipped a checkpoint to the coordinator and has not finished.
        string victim = CellWithShippedCheckpoint(folder, "b");
        b.Kill();
        var detected = DateTime.UtcNow;

        // The killed node's own training process notices its parent is gone and stops with a checkpoint.
        string orphanSummary = Path.Combine(Directory.GetDirectories(Folder("kill-b")).Single(d => Path.GetFileName(d) != "plugins"), "runs", victim, "summary.json");
        DeepRlProcess.WaitUntil(() => File.Exists(orphanSummary), "the orphaned cell to stop", TimeSpan.FromSeconds(60));
        Assert.That(File.ReadAllText(orphanSummary), Does.Contain("\"interrupted\""));

        Assert.That(coordinator.WaitForExit(GridTimeout), Is.Zero, coordinator.Output);
        Assert.That(coordinator.Output, Does.Contain($"{victim}: its node is gone; queued again"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "logs", victim + ".node")).Trim(), Is.EqualTo("a"), "the killed node's cell finished on the other node");
        Assert.That(File.ReadAllText(Path.Combine(folder, "logs", victim + ".log")), Does.Match($@"Resuming {victim} at step [1-9]\d*"), "it resumed from the shipped checkpoint");
        AssertSameResults(folder);
        Assert.That(DateTime.UtcNow - detected, Is.LessThan(GridTimeout));
    }

    [Test]
    public void A_frozen_node_is_cut_off_its_cells_resume_elsewhere_and_when_it_thaws_it_rejoins()
    {
        // SIGSTOP is what a cut cable looks like to the others: the connections stay open and nothing answers.
        using var a = DeepRlProcess.Node("a", Folder("freeze-a"));
        using var b = DeepRlProcess.Node("b", Folder("freeze-b"), join: a.Endpoint);
        string folder = Folder("freeze");
        using var coordinator = StartGrid(folder, a);

        string victim = CellWithShippedCheckpoint(folder, "b");
        b.Signal("STOP");
        try
        {
            coordinator.WaitFor($"{victim}: its node is gone; queued again", TimeSpan.FromMinutes(1));
        }
        finally
        {
            b.Signal("CONT");
        }
        b.WaitFor("This node was removed from the cluster; joining again", TimeSpan.FromMinutes(1));

        Assert.That(coordinator.WaitForExit(GridTimeout), Is.Zero, coordinator.Output);
        Assert.That(coordinator.Output, Does.Contain("8/8 cells finished"));
        AssertSameResults(folder);
    }

    [Test]
    public void A_node_whose_cable_is_cut_is_downed_its_cells_resume_elsewhere_and_it_rejoins_when_the_cable_is_back()
    {
        // Node b runs in its own network namespace, "another machine" behind a veth cable; a and the coordinator listen on
        // this side's end of it (off loopback, so with a secret).
        using var net = NetworkNamespace.CreateOrIgnore();
        string secret = Folder("cut-secret");
        File.WriteAllText(secret, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        using var a = DeepRlProcess.NodeAt([], $"{net.HostAddress}:0", "a", Folder("cut-a"), null, "--secret-file", secret);
        using var b = DeepRlProcess.NodeAt(net.Exec, $"{net.InsideAddress}:0", "b", Folder("cut-b"), a.Endpoint, "--secret-file", secret);
        string folder = Folder("cut");
        using var coordinator = DeepRlProcess.Start(["benchmark", "--out", folder, "--cluster", a.Endpoint!, "--listen", $"{net.HostAddress}:0",
            "--secret-file", secret, "--down-after", "2", .. Grid]);

        string victim = CellWithShippedCheckpoint(folder, "b");
        net.Cut();
        try
        {
            coordinator.WaitFor($"{victim}: its node is gone; queued again", TimeSpan.FromMinutes(1));
            b.WaitFor("This node was removed from the cluster; joining again", TimeSpan.FromMinutes(1));
        }
        finally
        {
            net.Heal();
        }
        // Back on the network, b joins again under a new identity: it sees node a come up a second time.
        string aJoined = $"Member akka.tcp://deeprl@{a.Endpoint} (node) joined";
        DeepRlProcess.WaitUntil(() => b.Output.Split(aJoined).Length > 2, "node b to rejoin the cluster", TimeSpan.FromMinutes(1));

        Assert.That(coordinator.WaitForExit(GridTimeout), Is.Zero, coordinator.Output);
        Assert.That(coordinator.Output, Does.Contain("8/8 cells finished"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "logs", victim + ".log")), Does.Match($@"Resuming {victim} at step [1-9]\d*"));
        AssertSameResults(folder);
    }

    [Test]
    public void A_node_stopped_with_sigterm_hands_its_cells_back_with_a_checkpoint_and_the_numbers_are_the_same()
    {
        using var a = DeepRlProcess.Node("a", Folder("leave-a"));
        using var b = DeepRlProcess.Node("b", Folder("leave-b"), join: a.Endpoint);
        string folder = Folder("leave");
        using var coordinator = StartGrid(folder, a);

        string cell = CellWithShippedCheckpoint(folder, "b");
        b.Signal("TERM");
        Assert.That(b.WaitForExit(TimeSpan.FromMinutes(2)), Is.Zero, b.Output);
        Assert.That(b.Output, Does.Contain($"{cell}: handed back with its checkpoint").And.Contain("node stopped"));

        Assert.That(coordinator.WaitForExit(GridTimeout), Is.Zero, coordinator.Output);
        Assert.That(coordinator.Output, Does.Contain($"{cell}: handed back by b"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "logs", cell + ".node")).Trim(), Is.EqualTo("a"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "logs", cell + ".log")), Does.Match($@"Resuming {cell} at step [1-9]\d*"));
        AssertSameResults(folder);
    }

    [Test]
    public void A_coordinator_stopped_with_sigterm_is_resumed_and_completes_the_grid_with_the_same_numbers()
    {
        using var a = DeepRlProcess.Node("a", Folder("stop-a"));
        using var b = DeepRlProcess.Node("b", Folder("stop-b"), join: a.Endpoint);
        string folder = Folder("stop");
        using (var coordinator = StartGrid(folder, a))
        {
            DeepRlProcess.WaitUntil(() => Directory.Exists(Path.Combine(folder, "logs")) && Directory.GetFiles(Path.Combine(folder, "logs"), "*.exit").Length >= 2,
                "two finished cells", GridTimeout);
            coordinator.Signal("TERM");
            Assert.That(coordinator.WaitForExit(TimeSpan.FromMinutes(1)), Is.EqualTo(130), coordinator.Output);
            Assert.That(coordinator.Output, Does.Contain($"deeprl benchmark --resume {folder} --cluster {a.Endpoint}"));
        }
        foreach (var node in new[] { a, b }) node.WaitFor("The coordinator is gone", TimeSpan.FromSeconds(30));

        using var resumed = DeepRlProcess.Start("benchmark", "--resume", folder, "--cluster", a.Endpoint!, "--down-after", "2", "--no-progress");
        Assert.That(resumed.WaitForExit(GridTimeout), Is.Zero, resumed.Output);
        Assert.That(resumed.Output, Does.Contain("8/8 cells finished"));
        AssertSameResults(folder);
    }

    /// <summary>Starts the coordinator of <see cref="Grid"/> into <paramref name="folder"/>, joining through <paramref name="seed"/>.</summary>
    private static DeepRlProcess StartGrid(string folder, DeepRlProcess seed) =>
        DeepRlProcess.Start(["benchmark", "--out", folder, "--cluster", seed.Endpoint!, "--down-after", "2", .. Grid]);

    /// <summary>Waits for a running cell of <paramref name="node"/> whose checkpoint has reached the coordinator.</summary>
    private static string CellWithShippedCheckpoint(string folder, string node)
    {
        string? cell = null;
        DeepRlProcess.WaitUntil(() => (cell = RunningCellWithCheckpoint(folder, node)) is not null, $"a checkpoint of a cell on node {node}", GridTimeout);
        return cell!;
    }

    /// <summary>A cell of <paramref name="node"/> whose checkpoint the coordinator holds and that has not ended.</summary>
    private static string? RunningCellWithCheckpoint(string folder, string node)
    {
        string logs = Path.Combine(folder, "logs");
        if (!Directory.Exists(logs)) return null;
        foreach (string file in Directory.GetFiles(logs, "*.node"))
        {
            string cell = Path.GetFileNameWithoutExtension(file);
            if (File.ReadAllText(file).Trim() != node || File.Exists(Path.Combine(logs, cell + ".exit"))) continue;
            if (Directory.Exists(Path.Combine(folder, "runs", cell, "checkpoints", "latest"))) return cell;
        }
        return null;
    }

    private static List<string[]> Rows(string folder) =>
        File.ReadAllLines(Path.Combine(folder, "results.csv")).Skip(1).Select(l => l.Split(',')).ToList();

    /// <summary>
    /// The same rows as the local grid but for wall-clock columns and the node, and the same final weights in every cell.
    /// </summary>
    private void AssertSameResults(string folder)
    {
        int[] compared = [0, 1, 2, 3, 4, 5, 6, 7, 10, 11]; // env … steps, reward_threshold, steps_to_threshold
        string Key(string[] row) => string.Join(",", compared.Select(i => row[i]));
        Assert.That(Rows(folder).Select(Key), Is.EqualTo(Rows(_reference).Select(Key)));
        Assert.That(Rows(folder).Select(r => r[3]), Has.All.EqualTo("completed"));
        foreach (string run in Directory.GetDirectories(Path.Combine(_reference, "runs")))
        {
            string cell = Path.GetFileName(run);
            Assert.That(Hash(Path.Combine(folder, "runs", cell, "checkpoints", "latest", "model.pt")),
                Is.EqualTo(Hash(Path.Combine(run, "checkpoints", "latest", "model.pt"))), $"{cell}: model.pt");
        }
    }

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
}
