using System.Text.RegularExpressions;

namespace DeepRL.Tests.Cli;

/// <summary>
/// docs/custom-environments.md followed literally: every command of its bash blocks runs, in order, in a fresh
/// home directory outside the repository, against our packages in a local feed (the only NuGet source).
/// </summary>
[Category("Process")]
public class CustomEnvironmentWalkthroughTests
{
    [Test]
    public void The_custom_environment_walkthrough_works_as_written()
    {
        string root = Directory.CreateTempSubdirectory("deeprl-walkthrough-").FullName;
        using var feed = new LocalFeed(Path.Combine(root, "feed"), LocalFeed.UniqueStableVersion());
        try
        {
            foreach (var library in new[] { "Environments", "Replay", "Agents" }) feed.Pack($"src/{library}/DeepRL.{library}.csproj");
            feed.Pack("src/Cli/DeepRL.Cli.csproj");
            feed.Pack("templates/DeepRL.Templates.csproj", build: true);

            // A new user's machine: an empty home (tools and templates install there), our feed as the NuGet source,
            // the machine's package cache for TorchSharp and friends (no network).
            string home = Path.Combine(root, "home"), work = Path.Combine(root, "work");
            Directory.CreateDirectory(home);
            Directory.CreateDirectory(work);
            feed.WriteNuGetConfig(work);
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["DOTNET_CLI_HOME"] = home,
                ["NUGET_PACKAGES"] = cache,
                ["PATH"] = $"{Path.Combine(home, ".dotnet", "tools")}:{Environment.GetEnvironmentVariable("PATH")}",
            };

            string doc = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "docs", "custom-environments.md"));
            var blocks = Regex.Matches(doc, "```bash\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
            Assert.That(blocks, Has.Count.EqualTo(2), "sections 1 and 2 each have one block of commands");
            string script = Path.Combine(root, "walkthrough.sh");
            // Each command is echoed before it runs, so a failure shows which line of the doc broke.
            File.WriteAllText(script, "set -euo pipefail\nset -x\ncd \"$1\"\n" + string.Join("\n", blocks));
            var (code, output) = LocalFeed.Run("bash", work, TimeSpan.FromMinutes(20), environment, script, work);
            TestContext.Out.WriteLine(output);
            Assert.That(code, Is.Zero, "a command of docs/custom-environments.md failed:\n" + Tail(output));

            var learned = Regex.Match(output, @"Catcher-v0 after 30000 steps: mean return (-?[\d.]+)");
            Assert.That(learned.Success, Is.True, "dotnet run prints the evaluation");
            Assert.That(double.Parse(learned.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0.5),
                "PPO learned the template's task from code (random play about -0.6)");
            string project = Path.Combine(work, "Catcher");
            Assert.That(File.Exists(Path.Combine(project, "CatcherGame.cs")) && File.Exists(Path.Combine(project, "agent", "agent.json")), Is.True,
                "the template was renamed and the program saved its agent");
            Assert.That(output, Does.Contain("policy auto → cnn"), "the image variant trains a CNN");
            foreach (var gif in new[] { "catcher.gif", "catcher-image.gif" })
            {
                var bytes = File.ReadAllBytes(Path.Combine(project, gif));
                Assert.That(bytes.Length, Is.GreaterThan(1000), gif);
                Assert.That(System.Text.Encoding.ASCII.GetString(bytes, 0, 6), Is.EqualTo("GIF89a"), gif);
            }
            var evalReturn = Regex.Match(output, @"Catcher-v0 ppo \(checkpoint \w+, step \d+\): mean return (-?[\d.]+) ± [\d.]+ over 100 episodes");
            Assert.That(evalReturn.Success, Is.True, "deeprl eval of the run (no --env-assembly) printed its result");
            Assert.That(double.Parse(evalReturn.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0.5),
                "the CLI-trained agent learned too");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Tail(string text) => string.Join("\n", text.Split('\n').TakeLast(40));
}
