using System.Diagnostics;

namespace DeepRL.Tests.Cli;

/// <summary>
/// Our NuGet packages as users get them, without the network: packed at a unique version into a folder feed,
/// and removed again from the machine's package cache afterwards.
/// </summary>
public sealed class LocalFeed : IDisposable
{
    private static readonly string[] PackageIds = ["deeprl.environments", "deeprl.replay", "deeprl.agents", "deeprl.rendering", "deeprl.cli", "deeprl.templates"];

    public LocalFeed(string folder, string version)
    {
        Folder = folder;
        Version = version;
        Directory.CreateDirectory(folder);
    }

    public string Folder { get; }

    public string Version { get; }

    /// <summary>A unique stable version (some commands, like `dotnet tool install` without --version, skip prereleases).</summary>
    public static string UniqueStableVersion()
    {
        var now = DateTime.UtcNow;
        return $"99.{now.DayOfYear}.{(int)now.TimeOfDay.TotalSeconds / 2}";
    }

    /// <summary>Packs a project of the repository (already built, unless <paramref name="build"/>) into the feed.</summary>
    public void Pack(string project, bool build = false)
    {
        var args = new List<string> { "pack", project, "-c", "Release", "-o", Folder, $"-p:Version={Version}", "-nologo" };
        if (!build) args.Add("--no-build");
        var r = Run("dotnet", CliRunner.RepoRoot, TimeSpan.FromMinutes(5), null, args.ToArray());
        Assert.That(r.Code, Is.Zero, r.Output);
    }

    /// <summary>A nuget.config in <paramref name="directory"/> whose only source is this feed.</summary>
    public void WriteNuGetConfig(string directory) => File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local" value="{Folder}" />
          </packageSources>
        </configuration>
        """);

    public static (int Code, string Output) Run(string file, string workingDirectory, TimeSpan timeout, IDictionary<string, string>? environment,
        params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (p.ExitCode, output.Result + error.Result);
    }

    /// <summary>Unique test versions must not accumulate in the machine's package cache.</summary>
    public void Dispose()
    {
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds)
        {
            string folder = Path.Combine(cache, id, Version);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
