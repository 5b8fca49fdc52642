using DeepRL.Tests.Cli;

namespace DeepRL.Tests.Cluster;

/// <summary>Bad cluster options are one clear line naming the fix, before anything listens or starts.</summary>
[Category("Fast")]
public class ClusterCliTests
{
    [TestCase("--slots 0", "--slots must be 1 to 1024, got 0.")]
    [TestCase("--listen nonsense", "--listen 'nonsense' is not HOST:PORT (e.g. 127.0.0.1:4053, or 127.0.0.1:0 for any free port).")]
    [TestCase("--join nohost", "'nohost' is not HOST:PORT")]
    [TestCase("--secret-file /nonexistent/secret", "The secret file '/nonexistent/secret' does not exist; create it")]
    [TestCase("--tls-cert /nonexistent/cluster.pfx", "The TLS certificate '/nonexistent/cluster.pfx' does not exist")]
    [TestCase("--tls-password-file /nonexistent/pass", "--tls-password-file is the password of a --tls-cert file: give --tls-cert too.")]
    [TestCase("--down-after 0.1", "down-after must be 1 s to 30 min, got 0.1 s.")]
    [TestCase("--ship-every -1", "--ship-every must be 0 to 86400 seconds, got -1.")]
    public void Bad_node_options_are_refused_by_name(string options, string message)
    {
        var r = CliRunner.Run(["node", "--work-dir", Path.GetTempPath(), .. options.Split(' ')]);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Output);
        Assert.That(r.Error, Does.Contain(message));
    }

    [TestCase("node --listen 127.0.0.1:0", true)]
    [TestCase("benchmark --suite classic --cluster 127.0.0.1:4053", true)]
    [TestCase("train --algo impala --actors 0 --cluster 127.0.0.1:4053", true)]
    [TestCase("benchmark --suite classic --parallel 2", false)]
    [TestCase("train --env CartPole-v1 --algo ppo", false)]
    [TestCase("envs", false)]
    public void Only_cluster_members_turn_off_the_thread_pools_spinning(string command, bool quiet) =>
        Assert.That(DeepRL.Cli.ClusterThreadPool.AppliesTo(command.Split(' ')), Is.EqualTo(quiet));

    [Test]
    public void Slots_without_a_cluster_point_to_parallel()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"deeprl-slots-{Guid.NewGuid():N}");
        var r = CliRunner.Run("benchmark", "--envs", "CartPole-v1", "--algos", "ppo", "--slots", "2", "--out", folder, "--no-progress");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("--slots gives the coordinator of a cluster grid cells of its own; without --cluster use --parallel."));
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
