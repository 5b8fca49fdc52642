using System.Security.Cryptography;
using System.Text.Json;
using DeepRL.Agents;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Tests.Cli;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

/// <summary>
/// Transfer learning (--init-from): weights really copied, heads fresh with --init-layers torso, a frozen feature
/// extractor unchanged by training (and by a resumed run), mismatches refused naming the layer and both shapes, and
/// the provenance in config.json and summary.json.
/// </summary>
[Category("Fast")]
public class TransferLearningTests
{
    private string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("deeprl-transfer-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    private static readonly Dictionary<string, object> SmallPpo = new() { ["num_envs"] = 2, ["num_steps"] = 32, ["net_arch"] = new[] { 16 } };

    /// <summary>Trains a short run and returns its folder.</summary>
    private string Source(string algo, string env, Dictionary<string, object> hyperparameters, int steps = 512)
    {
        using var agent = Agent.Create(algo, env, hyperparameters, seed: 7);
        agent.Learn(steps, new LearnOptions { RunFolder = Path.Combine(_out, "source-" + algo) });
        return agent.RunFolder!;
    }

    private static Dictionary<string, Tensor> Parameters(Agent agent) =>
        WeightTransfer.NetworkOf(agent.Implementation).named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    /// <summary>The acting network's parameters in one checkpoint of a run folder.</summary>
    private static Dictionary<string, Tensor> CheckpointParameters(string run, string checkpoint = RunStore.LatestCheckpoint)
    {
        var dir = RunDirectory.Open(run);
        var options = RunStore.ReadOptions(dir);
        using var probe = EnvRegistry.Default.Make(options.EnvId, new EnvOptions(options.EnvOptions));
        var (agent, _) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, CPU);
        using (agent)
        {
            agent.Load(RunStore.CheckpointFolder(dir, checkpoint), includeReplay: false, includeTrainingState: false);
            return WeightTransfer.NetworkOf(agent).named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        }
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Test]
    public void Every_layer_is_copied_tensor_for_tensor_and_config_and_summary_say_from_where()
    {
        string source = Source("ppo", "GridWorld-Empty-8x8-Image-v0", SmallPpo);
        var expected = CheckpointParameters(source);
        using var fresh = Agent.Create("ppo", "GridWorld-FrozenLake-8x8-Image-v0", SmallPpo, seed: 3);
        using var target = Agent.Create("ppo", "GridWorld-FrozenLake-8x8-Image-v0", SmallPpo, seed: 3, initFrom: source + ":latest");

        var copied = Parameters(target);
        Assert.That(copied.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, tensor) in copied) Assert.That(Same(tensor, expected[name]), Is.True, name);
        Assert.That(Same(Parameters(fresh)["actorHead.weight"], copied["actorHead.weight"]), Is.False, "a random start differs");

        target.Learn(256, new LearnOptions { RunFolder = Path.Combine(_out, "target") });
        string sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(source, "checkpoints", "latest", "model.pt")))).ToLowerInvariant();
        foreach (string file in new[] { "config.json", "summary.json" })
        {
            var from = JsonDocument.Parse(File.ReadAllText(Path.Combine(target.RunFolder!, file))).RootElement.GetProperty("init_from");
            Assert.That(from.GetProperty("run").GetString(), Is.EqualTo(source), file);
            Assert.That(from.GetProperty("checkpoint").GetString(), Is.EqualTo("latest"), file);
            Assert.That(from.GetProperty("source_step").GetInt64(), Is.EqualTo(512), file);
            Assert.That(from.GetProperty("source_env").GetString(), Is.EqualTo("GridWorld-Empty-8x8-Image-v0"), file);
            Assert.That(from.GetProperty("model_sha256").GetString(), Is.EqualTo(sha), file);
            Assert.That(from.GetProperty("layers").GetString(), Is.EqualTo("all"), file);
        }
    }

    [Test]
    public void Torso_only_takes_the_feature_extractor_and_the_heads_start_fresh_across_action_counts()
    {
        // MinAtar Breakout (3 actions) and Asterix (5) share the 4×10×10 observation: the CNN transfers, the heads cannot.
        var cnn = new Dictionary<string, object> { ["num_envs"] = 2, ["num_steps"] = 32, ["net_arch"] = new[] { 32 } };
        string source = Source("ppo", "MinAtar/Breakout-v1", cnn, steps: 256);
        var from = CheckpointParameters(source);

        var all = Assert.Throws<ArgumentException>(() => Agent.Create("ppo", "MinAtar/Asterix-v1", cnn, initFrom: source));
        Assert.That(all!.Message, Does.Contain("actorHead.weight is [3, 32] there and [5, 32] here").And.Contain("--init-layers torso"));

        using var fresh = Agent.Create("ppo", "MinAtar/Asterix-v1", cnn, seed: 4);
        using var target = Agent.Create("ppo", "MinAtar/Asterix-v1", cnn, seed: 4, initFrom: source, initLayers: "torso");
        var to = Parameters(target);
        var random = Parameters(fresh);
        foreach (var (name, tensor) in to)
        {
            if (WeightTransfer.IsTorso(name)) Assert.That(Same(tensor, from[name]), Is.True, $"{name} transferred");
            else Assert.That(Same(tensor, random[name]), Is.True, $"{name} starts as a fresh agent's");
        }
        Assert.That(to.Keys.Count(WeightTransfer.IsTorso), Is.EqualTo(4), "conv and fc0, weights and biases");
    }

    [Test]
    public void An_a2c_run_initialises_an_a3c_agent_because_their_networks_are_the_same()
    {
        var a2c = new Dictionary<string, object> { ["num_envs"] = 2, ["num_steps"] = 5, ["net_arch"] = new[] { 16 } };
        string source = Source("a2c", "CartPole-v1", a2c);
        var expected = CheckpointParameters(source);
        using var a3c = Agent.Create("a3c", "CartPole-v1", new Dictionary<string, object> { ["workers"] = 1, ["net_arch"] = new[] { 16 } }, initFrom: source);
        foreach (var (name, tensor) in Parameters(a3c)) Assert.That(Same(tensor, expected[name]), Is.True, name);
    }

    [Test]
    public void A_different_observation_shape_is_refused_naming_the_layer_and_both_shapes()
    {
        string source = Source("ppo", "GridWorld-Empty-8x8-Image-v0", SmallPpo);
        var ex = Assert.Throws<ArgumentException>(() => Agent.Create("ppo", "MinAtar/Breakout-v1", SmallPpo, initFrom: source, initLayers: "torso"));
        Assert.That(ex!.Message, Does.Contain("actorTorso.conv.weight is [16, 5, 3, 3] there and [16, 4, 3, 3] here"));
        var missing = Assert.Throws<DirectoryNotFoundException>(() => Agent.Create("ppo", "CartPole-v1", initFrom: Path.Combine(_out, "nothing")));
        Assert.That(missing!.Message, Does.Contain("nothing"));
    }

    [TestCase("ppo")]
    [TestCase("a3c")]
    [TestCase("dqn")]
    public void A_frozen_feature_extractor_is_unchanged_by_training_while_the_rest_learns(string algo)
    {
        var hp = algo switch
        {
            "ppo" => SmallPpo,
            "a3c" => new Dictionary<string, object> { ["workers"] = 2, ["envs_per_worker"] = 2, ["t_max"] = 5, ["net_arch"] = new[] { 16 } },
            _ => new Dictionary<string, object> { ["learning_starts"] = 64, ["train_freq"] = 1, ["net_arch"] = new[] { 16 } },
        };
        string source = Source(algo, "CartPole-v1", hp);
        using var target = Agent.Create(algo, "CartPole-v1", hp, seed: 2, initFrom: source, freeze: "torso");
        var before = Parameters(target);
        target.Learn(1024);
        var after = Parameters(target);
        foreach (var (name, tensor) in after)
        {
            if (WeightTransfer.IsTorso(name)) Assert.That(Same(tensor, before[name]), Is.True, $"{name} is frozen");
        }
        Assert.That(after.Where(kv => !WeightTransfer.IsTorso(kv.Key)).Any(kv => !Same(kv.Value, before[kv.Key])), Is.True, "the heads trained");
    }

    [Test]
    public void A_resumed_run_keeps_its_feature_extractor_frozen()
    {
        string source = Source("ppo", "CartPole-v1", SmallPpo);
        string folder;
        Dictionary<string, Tensor> frozen;
        using (var first = Agent.Create("ppo", "CartPole-v1", SmallPpo, seed: 2, initFrom: source, freeze: "torso"))
        {
            frozen = Parameters(first);
            first.Learn(512, new LearnOptions { RunFolder = Path.Combine(_out, "frozen"), OnStep = step => step < 256 });
            folder = first.RunFolder!;
        }
        using var resumed = Agent.Resume(folder);
        resumed.Train();
        Assert.That(resumed.LastRun!.Steps, Is.EqualTo(512));
        foreach (var (name, tensor) in CheckpointParameters(folder).Where(kv => WeightTransfer.IsTorso(kv.Key)))
            Assert.That(Same(tensor, frozen[name]), Is.True, $"{name} stayed frozen across the resume");
    }

    [Test]
    public void The_cli_takes_init_from_and_refuses_freeze_without_it()
    {
        string source = Source("ppo", "CartPole-v1", SmallPpo);
        var r = CliRunner.Run("train", "--algo", "ppo", "--env", "CartPole-v1", "--steps", "256", "--set", "net_arch=16", "--out", _out, "--name", "cli",
            "--init-from", source + ":latest", "--init-layers", "torso", "--freeze", "torso", "--final-eval-episodes", "0", "--no-progress");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        var from = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "cli", "config.json"))).RootElement.GetProperty("init_from");
        Assert.That((from.GetProperty("layers").GetString(), from.GetProperty("freeze").GetString()), Is.EqualTo(("torso", "torso")));
        var bad = CliRunner.Run("train", "--algo", "ppo", "--env", "CartPole-v1", "--freeze", "torso", "--out", _out);
        Assert.That(bad.ExitCode, Is.Not.Zero);
        Assert.That(bad.Error, Does.Contain("give --init-from RUN too"));
    }
}
