using DeepRL.Agents.Config;
using DeepRL.Agents.Dqn;

namespace DeepRL.Tests.Agents;

[Category("Fast")]

public class HyperparameterTests
{
    [Test]
    public void Per_env_defaults_are_layered_over_the_record_defaults()
    {
        var c = HyperparameterResolver.Resolve<DqnConfig>("dqn", "CartPole-v1", null, []);
        Assert.That(c.TrainFreq, Is.EqualTo(256));
        Assert.That(c.NetArch, Is.EqualTo(new[] { 256, 256 }));
        Assert.That(c.DoubleDqn, Is.True, "keys the env file does not set keep the record default");
    }

    [Test]
    public void Glob_patterns_pick_the_most_specific_match()
    {
        var image = HyperparameterResolver.Resolve<DqnConfig>("dqn", "GridWorld-FourRooms-Image-v0", null, []);
        var flat = HyperparameterResolver.Resolve<DqnConfig>("dqn", "GridWorld-FourRooms-v0", null, []);
        Assert.That(image.NetArch, Is.EqualTo(new[] { 128 }));
        Assert.That(flat.NetArch, Is.EqualTo(new[] { 128, 128 }));
    }

    [Test]
    public void MinAtar_games_get_the_papers_network_and_breakout_its_own_ppo_settings()
    {
        var dqn = HyperparameterResolver.Resolve<DqnConfig>("dqn", "MinAtar/Seaquest-v1", null, []);
        Assert.That((dqn.Policy, dqn.NetArch, dqn.TotalTimesteps), Is.EqualTo((DeepRL.Agents.Networks.PolicyKind.Cnn, new[] { 128 }, 5_000_000L))
            .Using<(DeepRL.Agents.Networks.PolicyKind, int[], long)>((a, b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2) && a.Item3 == b.Item3));
        var breakout = HyperparameterResolver.Resolve<DeepRL.Agents.Ppo.PpoConfig>("ppo", "MinAtar/Breakout-v1", null, []);
        var freeway = HyperparameterResolver.Resolve<DeepRL.Agents.Ppo.PpoConfig>("ppo", "MinAtar/Freeway-v1", null, []);
        Assert.That(breakout.EntCoef, Is.EqualTo(0.05));
        Assert.That(freeway.EntCoef, Is.EqualTo(0.01));
    }

    [Test]
    public void Config_file_then_command_line_override()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "{ \"learning_rate\": 0.01, \"batch_size\": 16, // comment\n \"dueling\": true }");
        var c = HyperparameterResolver.Resolve<DqnConfig>("dqn", "CartPole-v1", file, ["batch_size=8", "net_arch=32,16"]);
        Assert.That(c.LearningRate, Is.EqualTo(0.01));
        Assert.That(c.BatchSize, Is.EqualTo(8));
        Assert.That(c.Dueling, Is.True);
        Assert.That(c.NetArch, Is.EqualTo(new[] { 32, 16 }));
        File.Delete(file);
    }

    [Test]
    public void Typo_in_a_key_suggests_the_right_one_and_lists_all()
    {
        var ex = Assert.Throws<ArgumentException>(() => HyperparameterResolver.Resolve<DqnConfig>("dqn", "CartPole-v1", null, ["lerning_rate=0.1"]));
        Assert.That(ex!.Message, Does.Contain("Unknown hyperparameter 'lerning_rate'").And.Contain("Did you mean 'learning_rate'?").And.Contain("batch_size"));
    }

    [Test]
    public void Typo_in_a_config_file_names_the_file()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "{ \"gama\": 0.9 }");
        var ex = Assert.Throws<ArgumentException>(() => HyperparameterResolver.Resolve<DqnConfig>("dqn", "CartPole-v1", file, []));
        Assert.That(ex!.Message, Does.Contain(file).And.Contain("'gamma'"));
        File.Delete(file);
    }

    [Test]
    public void Malformed_values_and_files_are_explained()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => HyperparameterResolver.Resolve<DqnConfig>("dqn", "CartPole-v1", null, ["batch_size=lots"]))!.Message,
            Does.Contain("batch_size=lots"));
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "{ not json");
        Assert.That(Assert.Throws<FormatException>(() => HyperparameterResolver.Resolve<DqnConfig>("dqn", "CartPole-v1", file, []))!.Message,
            Does.Contain("not valid JSON"));
        File.Delete(file);
    }

    [Test]
    public void Validation_rejects_out_of_range_values()
    {
        var c = new DqnConfig { Gamma = 1.5 };
        Assert.That(Assert.Throws<ArgumentException>(c.Validate)!.Message, Does.Contain("gamma"));
        Assert.Throws<ArgumentException>(new DqnConfig { BufferSize = 10, BatchSize = 64 }.Validate);
    }
}
