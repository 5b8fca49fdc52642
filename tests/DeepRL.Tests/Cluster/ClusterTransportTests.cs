using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DeepRL.Cluster;
using DeepRL.Tests.Cli;

namespace DeepRL.Tests.Cluster;

/// <summary>What travels besides cells: plugin assemblies (by content hash) and, with a certificate, everything over TLS.</summary>
[Category("Process")]
[NonParallelizable]
public class ClusterTransportTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-transport-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] SmallGrid =
        ["--algos", "ppo", "--steps", "2000", "--eval-every", "1000", "--eval-episodes", "2", "--set", "torch_threads=1", "--no-progress"];

    [Test]
    public void A_plugin_env_grid_runs_on_nodes_that_fetch_the_plugin_once_by_its_hash()
    {
        // Only the coordinator has the plugin; the nodes get it from there.
        string plugin = Path.Combine(_dir, "plugin", "DeepRL.Examples.CustomEnv.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(plugin)!);
        File.Copy(PluginTests.PluginPath, plugin);
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(plugin)));

        using var a = DeepRlProcess.Node("a", Path.Combine(_dir, "a"));
        using var b = DeepRlProcess.Node("b", Path.Combine(_dir, "b"), join: a.Endpoint);
        string folder = Path.Combine(_dir, "bench");
        using var coordinator = DeepRlProcess.Start(["benchmark", "--out", folder, "--cluster", a.Endpoint!, "--env-assembly", plugin, "--envs", "Corridor-v0",
            "--seeds", "3", .. SmallGrid]);
        Assert.That(coordinator.WaitForExit(TimeSpan.FromMinutes(4)), Is.Zero, coordinator.Output);
        Assert.That(coordinator.Output, Does.Contain("3/3 cells finished"));
        var rows = File.ReadAllLines(Path.Combine(folder, "results.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.That(rows.Select(r => $"{r[0]} {r[3]}"), Is.EqualTo(Enumerable.Repeat("Corridor-v0 completed", 3)));

        foreach (var (node, work) in new[] { (a, "a"), (b, "b") })
        {
            if (!rows.Any(r => r[^1] == work)) continue; // a node that got no cell fetched nothing
            string cached = Path.Combine(_dir, work, "plugins", sha, "DeepRL.Examples.CustomEnv.dll");
            Assert.That(File.ReadAllBytes(cached), Is.EqualTo(File.ReadAllBytes(plugin)), $"node {work} keeps the plugin under its hash");
            Assert.That(System.Text.RegularExpressions.Regex.Matches(node.Output, "Plugin DeepRL.Examples.CustomEnv.dll received and verified").Count,
                Is.EqualTo(1), $"node {work} fetched it once");
        }
    }

    [Test]
    public void A_grid_runs_over_tls_with_a_self_signed_certificate_that_every_member_pins()
    {
        string pfx = Path.Combine(_dir, "cluster.pfx"), passwordFile = Path.Combine(_dir, "cluster.pass"), secret = Path.Combine(_dir, "secret");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=deeprl-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx password"));
        }
        File.WriteAllText(passwordFile, "pfx password\n");
        File.WriteAllText(secret, "a shared secret of sufficient length\n");
        string[] tls = ["--tls-cert", pfx, "--tls-password-file", passwordFile, "--secret-file", secret];

        using var a = DeepRlProcess.Node("a", Path.Combine(_dir, "a"), null, tls);
        using var b = DeepRlProcess.Node("b", Path.Combine(_dir, "b"), a.Endpoint, tls);
        string folder = Path.Combine(_dir, "bench");
        using var coordinator = DeepRlProcess.Start(["benchmark", "--out", folder, "--cluster", a.Endpoint!, .. tls, "--envs", "CartPole-v1", "--seeds", "2", .. SmallGrid]);
        Assert.That(coordinator.WaitForExit(TimeSpan.FromMinutes(4)), Is.Zero, coordinator.Output);
        Assert.That(coordinator.Output, Does.Contain("2/2 cells finished"));

        // The node's port speaks TLS and shows the cluster's certificate.
        using var expected = X509CertificateLoader.LoadPkcs12FromFile(pfx, "pfx password");
        var (host, port) = ClusterOptions.ParseEndpoint(a.Endpoint!);
        X509Certificate? seen = null;
        using var tcp = new TcpClient(host, port);
        using var ssl = new SslStream(tcp.GetStream());
        ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "deeprl-cluster",
            ClientCertificates = [expected],
            RemoteCertificateValidationCallback = (_, certificate, _, _) => (seen = certificate) is not null,
        }).Wait(TimeSpan.FromSeconds(20));
        Assert.That(seen?.GetCertHashString(), Is.EqualTo(expected.GetCertHashString()));

        // A wrong password is one clear line before anything starts.
        File.WriteAllText(passwordFile, "not the password\n");
        var wrong = CliRunner.RunProcess(TimeSpan.FromMinutes(1), ["node", "--work-dir", Path.Combine(_dir, "c"), .. tls]);
        Assert.That(wrong.ExitCode, Is.EqualTo(2));
        Assert.That(wrong.Error, Does.Contain($"Cannot read the TLS certificate '{pfx}'").And.Contain("--tls-password-file must hold its password"));
    }
}
