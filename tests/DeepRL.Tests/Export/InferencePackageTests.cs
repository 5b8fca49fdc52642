using DeepRL.Agents;
using DeepRL.Agents.Export;
using DeepRL.Environments;
using DeepRL.Tests.Agents;
using DeepRL.Tests.Cli;
using static TorchSharp.torch;

namespace DeepRL.Tests.Export;

/// <summary>
/// Deployment as a user gets it: DeepRL.Inference packed into a local feed, the examples/OnnxPlayer program built outside
/// the repository against that package alone, playing MinAtar Breakout with an exported CNN policy — and no TorchSharp
/// anywhere in what it ships.
/// </summary>
[Category("Process")]
public class InferencePackageTests
{
    private string _dir = "";
    private LocalFeed _feed = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("deeprl-infer-pack-").FullName;
        _feed = new LocalFeed(Path.Combine(_dir, "feed"), $"0.0.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}");
    }

    [TearDown]
    public void TearDown()
    {
        Directory.Delete(_dir, recursive: true);
        _feed.Dispose();
    }

    [Test]
    public void A_project_referencing_only_the_inference_package_plays_minatar_with_an_exported_cnn_policy()
    {
        foreach (var project in new[] { "Environments", "Inference" }) _feed.Pack($"src/{project}/DeepRL.{project}.csproj");
        using (var nupkg = System.IO.Compression.ZipFile.OpenRead(Path.Combine(_feed.Folder, $"DeepRL.Inference.{_feed.Version}.nupkg")))
        {
            using var nuspec = new StreamReader(nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            string text = nuspec.ReadToEnd();
            Assert.That(text, Does.Contain("id=\"Microsoft.ML.OnnxRuntime\"").And.Contain("id=\"DeepRL.Environments\"").And.Not.Contain("id=\"TorchSharp"), text);
        }

        // An exported MinAtar CNN policy (a DQN agent's Q-network).
        var options = TrainingHarness.Options("MinAtar/Breakout-v1", "dqn", seed: 1, ["net_arch=64"]);
        string policy = Path.Combine(_dir, "policy.onnx");
        using (var env = EnvRegistry.Default.Make("MinAtar/Breakout-v1"))
        {
            var (agent, _) = AgentCatalog.Create(options, env.ObservationSpace, env.ActionSpace, CPU);
            using (agent) PolicyExport.Export(agent, new ExportSource("MinAtar/Breakout-v1", options.EnvOptions, "dqn", 0, false), policy);
        }

        string app = Path.Combine(_dir, "Player");
        Directory.CreateDirectory(app);
        _feed.WriteNuGetConfig(app);
        File.Copy(Path.Combine(CliRunner.RepoRoot, "examples", "OnnxPlayer", "Program.cs"), Path.Combine(app, "Program.cs"));
        File.WriteAllText(Path.Combine(app, "Player.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
                <SelfContained>false</SelfContained>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="DeepRL.Inference" Version="{_feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        var build = LocalFeed.Run("dotnet", app, TimeSpan.FromMinutes(5), null, "build", "-c", "Release", "-nologo");
        Assert.That(build.Code, Is.Zero, build.Output);
        string output = Path.Combine(app, "bin", "Release", "net10.0", "linux-x64");
        var files = new DirectoryInfo(output).EnumerateFiles("*", SearchOption.AllDirectories).ToList();
        Assert.That(files.Where(f => f.Name.Contains("torch", StringComparison.OrdinalIgnoreCase)).Select(f => f.Name), Is.Empty, "no TorchSharp or libtorch shipped");
        long bytes = files.Sum(f => f.Length);
        TestContext.Out.WriteLine($"deployment output: {bytes / 1048576.0:F1} MiB in {files.Count} files");
        Assert.That(bytes, Is.LessThan(60L << 20), $"a small deployment ({bytes >> 20} MiB): ONNX Runtime's natives and our assemblies");

        var run = LocalFeed.Run("dotnet", app, TimeSpan.FromMinutes(2), null, Path.Combine(output, "Player.dll"), policy, "2");
        Assert.That(run.Code, Is.Zero, run.Output);
        Assert.That(run.Output, Does.Contain("dqn cnn policy for MinAtar/Breakout-v1"));
        Assert.That(run.Output, Does.Match(@"episode 1: return \d+\.\d in \d+ steps").And.Match(@"episode 2: return \d+\.\d in \d+ steps"));
    }
}
