namespace DeepRL.Tests.Cli;

/// <summary>Runs of custom environments from plugin assemblies, in child processes (each starts with no plugin loaded).</summary>
[Category("Process")]
public class PluginRunTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-plugin-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(2);

    [Test]
    public void A_run_remembers_its_plugin_so_eval_works_without_env_assembly_and_a_moved_file_is_named()
    {
        string plugin = Path.Combine(_out, "plugin", "DeepRL.Examples.CustomEnv.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(plugin)!);
        File.Copy(PluginTests.PluginPath, plugin);
        var train = CliRunner.RunProcess(Minutes, "train", "--env", "Corridor-v0", "--algo", "ppo", "--steps", "2000", "--env-assembly", plugin,
            "--out", _out, "--eval-every", "0", "--eval-episodes", "2", "--final-eval-episodes", "2", "--no-progress");
        Assert.That(train.ExitCode, Is.Zero, train.Error);
        string run = Directory.GetDirectories(_out, "Corridor-v0__*").Single();

        var eval = CliRunner.RunProcess(Minutes, "eval", "--run", run, "--episodes", "3");
        Assert.That(eval.ExitCode, Is.Zero, eval.Error);
        Assert.That(eval.Output, Does.Contain("Corridor-v0 ppo (checkpoint"));

        File.Delete(plugin);
        var moved = CliRunner.RunProcess(Minutes, "eval", "--run", run);
        Assert.That(moved.ExitCode, Is.EqualTo(2));
        Assert.That(moved.Error, Does.Contain($"was trained with environments from '{plugin}', which no longer exists")
            .And.Contain("--env-assembly"));
    }

    [Test]
    public void A_file_that_is_not_a_dotnet_assembly_is_refused_in_plain_words()
    {
        string bogus = Path.Combine(_out, "MyEnvs.dll");
        File.WriteAllText(bogus, "this is not an assembly");
        var r = CliRunner.RunProcess(Minutes, "check-env", "--env", "Mine-v0", "--env-assembly", bogus);
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain($"error: Environment assembly '{bogus}' is not a .NET assembly: pass the .dll that 'dotnet build' makes"));
    }
}
