using System.Diagnostics;

namespace DeepRL.Tests.Cli;

/// <summary>
/// The NuGet packages as a user outside the repository gets them: pack the libraries into a local folder feed,
/// build a fresh console project elsewhere that references only the DeepRL.Agents package, and train with it.
/// Restores from the local feed (other packages come from the machine's NuGet cache; no network).
/// </summary>
[Category("Process")]
public class PackagingTests
{
    private string _dir = "";
    private LocalFeed _feed = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("deeprl-pack-").FullName;
        _feed = new LocalFeed(Path.Combine(_dir, "feed"), $"0.0.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}");
    }

    [TearDown]
    public void TearDown()
    {
        Directory.Delete(_dir, recursive: true);
        _feed.Dispose();
    }

    private static (int Code, string Output) Dotnet(string workingDirectory, TimeSpan timeout, params string[] args) =>
        LocalFeed.Run("dotnet", workingDirectory, timeout, null, args);

    [Test]
    public void A_project_outside_the_repository_builds_against_the_packages_and_trains()
    {
        string feed = _feed.Folder, version = _feed.Version;
        foreach (var project in new[] { "Environments", "Replay", "Agents" }) _feed.Pack($"src/{project}/DeepRL.{project}.csproj");
        Assert.That(File.Exists(Path.Combine(feed, $"DeepRL.Agents.{version}.nupkg")), Is.True);
        using (var nupkg = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"DeepRL.Agents.{version}.nupkg")))
        {
            var entries = nupkg.Entries.Select(e => e.FullName).ToList();
            Assert.That(entries, Does.Contain("buildTransitive/DeepRL.Agents.targets").And.Contain("buildTransitive/DeepRL.LibTorchSharpFix.targets")
                .And.Contain("lib/net10.0/DeepRL.Agents.xml").And.Contain("README.md"));
            // GPU-ready: the library depends on the managed TorchSharp only; the application picks the native backend.
            using var nuspec = new StreamReader(nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            string text = nuspec.ReadToEnd();
            Assert.That(text, Does.Contain("id=\"TorchSharp\"").And.Not.Contain("TorchSharp-cpu"), text);
        }

        string app = Path.Combine(_dir, "MyRlApp");
        Directory.CreateDirectory(app);
        _feed.WriteNuGetConfig(app);
        File.WriteAllText(Path.Combine(app, "MyRlApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="DeepRL.Agents" Version="{version}" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """);

        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using DeepRL;
            using var agent = Agent.Create("ppo", "CartPole-v1", new Dictionary<string, object> { ["total_timesteps"] = 25_000 });
            agent.Learn();
            Console.WriteLine($"mean return {agent.Evaluate(episodes: 20).MeanReturn:F1}");
            """);

        var build = Dotnet(app, TimeSpan.FromMinutes(5), "build", "-c", "Release", "-nologo");
        Assert.That(build.Code, Is.Zero, build.Output);
        string output = Path.Combine(app, "bin", "Release", "net10.0");
        var runtimes = Directory.GetDirectories(Path.Combine(output, "runtimes")).Select(Path.GetFileName).ToList();
        Assert.That(runtimes, Has.None.StartsWith("win").And.None.StartsWith("osx"), "only Linux natives are copied: " + string.Join(", ", runtimes));
        long bytes = new DirectoryInfo(output).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.That(bytes, Is.LessThan(800L << 20), $"a small output ({bytes >> 20} MiB), not every platform's libtorch");

        var run = Dotnet(app, TimeSpan.FromMinutes(5), "bin/Release/net10.0/MyRlApp.dll");
        Assert.That(run.Code, Is.Zero, run.Output);
        var mean = double.Parse(run.Output.Split("mean return ")[1].Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(mean, Is.GreaterThan(100), "PPO learned CartPole from the package (random play averages about 22)");
    }

    [Test]
    public void The_cli_installs_as_a_dotnet_tool_and_runs_torch()
    {
        _feed.Pack("src/Cli/DeepRL.Cli.csproj");
        string tools = Path.Combine(_dir, "tools");
        var install = Dotnet(_dir, TimeSpan.FromMinutes(5), "tool", "install", "DeepRL.Cli", "--version", _feed.Version, "--tool-path", tools, "--add-source", _feed.Folder);
        Assert.That(install.Code, Is.Zero, install.Output);

        var psi = new ProcessStartInfo(Path.Combine(tools, "deeprl")) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("doctor");
        using var doctor = Process.Start(psi)!;
        string output = doctor.StandardOutput.ReadToEnd() + doctor.StandardError.ReadToEnd();
        Assert.That(doctor.WaitForExit(120_000), Is.True);
        Assert.That(doctor.ExitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("forward pass output"), "TorchSharp's native library loads from the installed tool");
        Assert.That(output, Does.Contain("backend: libtorch CPU build").And.Contain("devices: cpu"), "and it says which backend and devices it sees");

        var train = new ProcessStartInfo(Path.Combine(tools, "deeprl")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (var a in new[] { "train", "--env", "CartPole-v1", "--algo", "dqn", "--steps", "2000", "--eval-every", "0", "--final-eval-episodes", "5", "--no-progress" })
            train.ArgumentList.Add(a);
        using var trainer = Process.Start(train)!;
        var trainOutput = trainer.StandardOutput.ReadToEndAsync();
        string trainError = trainer.StandardError.ReadToEnd();
        Assert.That(trainer.WaitForExit(180_000), Is.True);
        Assert.That(trainer.ExitCode, Is.Zero, trainError);
        Assert.That(trainOutput.Result, Does.Contain("status: completed after 2000 steps"), "the installed tool trains");
    }
}
