using System.Diagnostics;

namespace DeepRL.Tests.Cli;

/// <summary>
/// The NuGet packages as a user outside the repository gets them: pack the libraries into a local folder feed,
/// build a fresh console project elsewhere that references only the DeepRL.Agents package, and train with it.
/// Restores from the local feed (other packages come from the machine's NuGet cache; no network).
/// </summary>
public class PackagingTests
{
    private string _dir = "";
    private string _version = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("deeprl-pack-").FullName;
        _version = $"0.0.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
    }

    [TearDown]
    public void TearDown()
    {
        Directory.Delete(_dir, recursive: true);
        // Unique test versions must not accumulate in the machine's package cache.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "deeprl.environments", "deeprl.replay", "deeprl.agents", "deeprl.cli" })
        {
            string folder = Path.Combine(cache, id, _version);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static (int Code, string Output) Dotnet(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (p.ExitCode, output.Result + error.Result);
    }

    [Test]
    public void A_project_outside_the_repository_builds_against_the_packages_and_trains()
    {
        string feed = Path.Combine(_dir, "feed");
        foreach (var project in new[] { "Environments", "Replay", "Agents" })
        {
            var pack = Dotnet(CliRunner.RepoRoot, TimeSpan.FromMinutes(3), "pack", $"src/{project}/DeepRL.{project}.csproj", "-c", "Release", "--no-build",
                "-o", feed, $"-p:Version={_version}", "-nologo");
            Assert.That(pack.Code, Is.Zero, pack.Output);
        }
        Assert.That(File.Exists(Path.Combine(feed, $"DeepRL.Agents.{_version}.nupkg")), Is.True);
        using (var nupkg = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"DeepRL.Agents.{_version}.nupkg")))
        {
            var entries = nupkg.Entries.Select(e => e.FullName).ToList();
            Assert.That(entries, Does.Contain("buildTransitive/DeepRL.Agents.targets").And.Contain("buildTransitive/DeepRL.LibTorchSharpFix.targets")
                .And.Contain("lib/net10.0/DeepRL.Agents.xml").And.Contain("README.md"));
        }

        string app = Path.Combine(_dir, "MyRlApp");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "MyRlApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="DeepRL.Agents" Version="{_version}" />
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
        string feed = Path.Combine(_dir, "feed");
        var pack = Dotnet(CliRunner.RepoRoot, TimeSpan.FromMinutes(5), "pack", "src/Cli/DeepRL.Cli.csproj", "-c", "Release", "--no-build",
            "-o", feed, $"-p:Version={_version}", "-nologo");
        Assert.That(pack.Code, Is.Zero, pack.Output);
        string tools = Path.Combine(_dir, "tools");
        var install = Dotnet(_dir, TimeSpan.FromMinutes(5), "tool", "install", "DeepRL.Cli", "--version", _version, "--tool-path", tools, "--add-source", feed);
        Assert.That(install.Code, Is.Zero, install.Output);

        var psi = new ProcessStartInfo(Path.Combine(tools, "deeprl")) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("doctor");
        using var doctor = Process.Start(psi)!;
        string output = doctor.StandardOutput.ReadToEnd() + doctor.StandardError.ReadToEnd();
        Assert.That(doctor.WaitForExit(120_000), Is.True);
        Assert.That(doctor.ExitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("forward pass output"), "TorchSharp's native library loads from the installed tool");
    }
}
