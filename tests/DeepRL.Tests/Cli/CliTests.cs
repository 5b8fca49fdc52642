namespace DeepRL.Tests.Cli;

[Category("Fast")]

public class CliTests
{
    [Test]
    public void Envs_lists_every_built_in_id_with_spaces()
    {
        var r = CliRunner.Run("envs");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        foreach (var id in DeepRL.Environments.EnvRegistry.Default.Ids) Assert.That(r.Output, Does.Contain(id));
        Assert.That(r.Output, Does.Contain("Discrete(2)").And.Contain("475"));
    }

    [Test]
    public void Eval_random_on_cartpole_reports_mean_and_std()
    {
        var r = CliRunner.Run("eval", "--env", "CartPole-v1", "--agent", "random", "--episodes", "50", "--seed", "1");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        var m = System.Text.RegularExpressions.Regex.Match(r.Output, @"mean return ([\d.]+) ± ([\d.]+) over 50 episodes");
        Assert.That(m.Success, Is.True, r.Output);
        double mean = double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(mean, Is.InRange(15, 35), "random CartPole lasts about 22 steps");
    }

    [Test]
    public void Eval_is_reproducible_under_a_seed()
    {
        var a = CliRunner.Run("eval", "--env", "GridWorld-FrozenLake-8x8-v0", "--episodes", "20", "--seed", "3");
        var b = CliRunner.Run("eval", "--env", "GridWorld-FrozenLake-8x8-v0", "--episodes", "20", "--seed", "3");
        Assert.That(a.Output, Is.EqualTo(b.Output));
    }

    [Test]
    public void Unknown_env_exits_2_and_lists_known_ids()
    {
        var r = CliRunner.Run("eval", "--env", "CartPol-v1");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("Unknown environment id 'CartPol-v1'").And.Contain("CartPole-v1").And.Contain("GridWorld-TMaze-v0"));
        Assert.That(r.Error, Does.Not.Contain("   at "), "no stack trace without --verbose");
    }

    [Test]
    public void Non_positive_episode_count_is_refused()
    {
        var r = CliRunner.Run("eval", "--env", "CartPole-v1", "--episodes", "0");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("--episodes must be at least 1"));
    }

    [Test]
    public void Unknown_agent_is_refused_with_the_known_ones()
    {
        var r = CliRunner.Run("eval", "--env", "CartPole-v1", "--agent", "genius");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("Unknown --agent 'genius'"));
    }

    [Test]
    public void Malformed_env_option_is_refused()
    {
        var r = CliRunner.Run("eval", "--env", "GridWorld-TMaze-v0", "--env-option", "image");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("key=value"));
    }

    [Test]
    public void Unknown_command_and_bad_option_values_exit_non_zero()
    {
        Assert.That(CliRunner.Run("fly").ExitCode, Is.EqualTo(2));
        var r = CliRunner.Run("eval", "--env", "CartPole-v1", "--episodes", "many");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error + r.Output, Does.Contain("many"));
    }

    [TestCase("envs")]
    [TestCase("eval")]
    [TestCase("check-env")]
    [TestCase("bench-env")]
    [TestCase("doctor")]
    [TestCase("train")]
    [TestCase("plot")]
    [TestCase("watch")]
    [TestCase("record")]
    public void Every_command_has_help(string command)
    {
        var r = CliRunner.Run(command, "--help");
        Assert.That(r.ExitCode, Is.Zero);
        Assert.That(r.Output, Does.Contain("Usage:").And.Contain(command));
    }

    [Test]
    public void Check_env_passes_a_built_in_env()
    {
        var r = CliRunner.Run("check-env", "--env", "GridWorld-CliffWalking-v0");
        Assert.That(r.ExitCode, Is.Zero, r.Output + r.Error);
        Assert.That(r.Output, Does.Contain("all 8 checks passed"));
    }

    [Test]
    public void Bench_env_reports_steps_per_second()
    {
        var r = CliRunner.Run("bench-env", "--env", "CartPole-v1", "--seconds", "0.05", "--repeats", "1", "--num-envs", "8");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        Assert.That(r.Output, Does.Match(@"CartPole-v1\s*│\s*[\d.]+ [Mk]"));
    }

    /// <summary>Random actions would be refused by an env that masks them (the default set once hit TicTacToe this way).</summary>
    [Test]
    public void Bench_env_refuses_an_env_with_masked_actions_by_name()
    {
        var r = CliRunner.Run("bench-env", "--env", "TicTacToe-v0", "--seconds", "0.05", "--repeats", "1", "--num-envs", "8");
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.Error, Does.Contain("TicTacToe-v0 has continuous or masked actions"));
    }
}

[Category("Fast")]

public class PluginTests
{
    internal static string PluginPath
    {
        get
        {
            var testDir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            var relative = Path.GetRelativePath(Path.Combine(CliRunner.RepoRoot, "tests", "DeepRL.Tests"), testDir.FullName);
            var path = Path.Combine(CliRunner.RepoRoot, "examples", "CustomEnv", relative, "DeepRL.Examples.CustomEnv.dll");
            if (!File.Exists(path)) throw new FileNotFoundException($"Build examples/CustomEnv first: {path} is missing.", path);
            return path;
        }
    }

    [Test]
    public void Environments_from_an_assembly_given_on_the_command_line_are_usable()
    {
        var check = CliRunner.Run("check-env", "--env", "Corridor-v0", "--env-assembly", PluginPath);
        Assert.That(check.ExitCode, Is.Zero, check.Output + check.Error);
        Assert.That(check.Output, Does.Contain("Corridor-v0: all 8 checks passed"));
        var envs = CliRunner.Run("envs", "--env-assembly", PluginPath);
        Assert.That(envs.Output, Does.Contain("Corridor-v0"));
        var eval = CliRunner.Run("eval", "--env", "Corridor-v0", "--episodes", "5", "--env-assembly", PluginPath);
        Assert.That(eval.ExitCode, Is.Zero, eval.Error);
    }

    [Test]
    public void Missing_or_empty_plugin_assembly_is_reported()
    {
        var r = CliRunner.Run("envs", "--env-assembly", "/nonexistent/Plugin.dll");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("/nonexistent/Plugin.dll"));
    }
}
