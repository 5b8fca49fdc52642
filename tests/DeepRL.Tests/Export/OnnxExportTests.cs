using System.Diagnostics;
using System.Text.Json;
using DeepRL.Agents;
using DeepRL.Agents.Export;
using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using DeepRL.Environments.Deployment;
using DeepRL.Environments.Spaces;
using DeepRL.Inference;
using DeepRL.Tests.Agents;
using static TorchSharp.torch;

namespace DeepRL.Tests.Export;

/// <summary>
/// Every algorithm × policy kind exported to ONNX gives the same outputs in three independent evaluations — TorchSharp
/// (the agent itself), ONNX Runtime (DeepRL.Inference) and a NumPy evaluator of the emitted operators after ONNX's own
/// checker and strict shape inference (tests/…/Export/onnx_reference.py, Debian's python3-onnx) — and the same greedy
/// actions over 1,000 env steps.
/// </summary>
[Category("Process")]
public class OnnxExportTests
{
    private const int Samples = 1000;
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-onnx-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("dqn", "CartPole-v1", "DQN MLP", "net_arch=32,32");
        yield return Case("dqn", "CartPole-v1", "DQN MLP dueling", "net_arch=32", "dueling=true");
        yield return Case("dqn", "MinAtar/Breakout-v1", "DQN CNN", "net_arch=32");
        yield return Case("dqn", "TicTacToe-v0", "DQN MLP masked", "net_arch=32");
        yield return Case("ppo", "CartPole-v1", "PPO MLP", "net_arch=16,16");
        yield return Case("ppo", "CartPole-v1", "PPO MLP separate critic", "net_arch=16", "shared_torso=false");
        yield return Case("ppo", "Pendulum-v1", "PPO MLP continuous", "net_arch=16");
        yield return Case("ppo", "MinAtar/Freeway-v1", "PPO CNN", "net_arch=32");
        yield return Case("ppo", "TicTacToe-v0", "PPO MLP masked", "net_arch=32");
        yield return Case("ppo", "CartPole-Masked-v1", "PPO LSTM", "policy=lstm", "lstm_hidden=8", "net_arch=16");
        yield return Case("ppo", "MinAtar/Breakout-v1", "PPO CNN-LSTM", "policy=lstm", "lstm_hidden=16", "net_arch=32");
        yield return Case("a2c", "CartPole-v1", "A2C MLP", "net_arch=16");
        yield return Case("a2c", "CartPole-Masked-v1", "A2C LSTM", "policy=lstm", "lstm_hidden=8", "net_arch=8");
        yield return Case("a2c", "Pendulum-v1", "A2C MLP continuous", "net_arch=16");
        yield return Case("ppo", "Pendulum-v1", "PPO LSTM continuous", "policy=lstm", "lstm_hidden=8", "net_arch=16");
        yield return Case("ppo", "TicTacToe-v0", "PPO LSTM masked", "policy=lstm", "lstm_hidden=8", "net_arch=16");
        yield return Case("a2c", "MinAtar/SpaceInvaders-v1", "A2C CNN", "net_arch=32");
        yield return Case("a3c", "MinAtar/Asterix-v1", "A3C CNN", "workers=1", "net_arch=32");
        yield return Case("a3c", "Pendulum-v1", "A3C MLP continuous", "workers=1", "net_arch=16");
        yield return Case("a3c", "CartPole-Masked-v1", "A3C LSTM", "workers=1", "policy=lstm", "lstm_hidden=8", "net_arch=8");
        yield return Case("impala", "MinAtar/Breakout-v1", "IMPALA CNN", "net_arch=32");
        yield return Case("impala", "TicTacToe-v0", "IMPALA MLP masked", "net_arch=16");
    }

    private static TestCaseData Case(string algo, string env, string name, params string[] hyperparameters) =>
        new TestCaseData(algo, env, hyperparameters).SetName($"ONNX export agrees: {name} ({env})");

    [TestCaseSource(nameof(Cases))]
    public void An_exported_policy_gives_the_agents_outputs_and_actions_in_onnx_runtime_and_a_numpy_evaluator(string algo, string envId, string[] hyperparameters)
    {
        var options = TrainingHarness.Options(envId, algo, seed: 3, hyperparameters);
        using var env = EnvRegistry.Default.Make(envId);
        var (agent, _) = AgentCatalog.Create(options, env.ObservationSpace, env.ActionSpace, CPU);
        using var _ = agent;
        bool masked = ActionMask.Of(env) is not null;
        string file = Path.Combine(_dir, "policy.onnx");
        PolicyExport.Export(agent, new ExportSource(envId, options.EnvOptions, algo, 0, masked), file);
        using var policy = OnnxPolicy.Load(file);
        Assert.That(policy.EnvId, Is.EqualTo(envId));
        Assert.That(policy.AcceptsActionMask, Is.EqualTo(masked));

        var batch = Observations(env, Samples, seed: 11);
        int obsSize = env.ObservationSpace.FlatSize;
        var network = ((IExportablePolicy)agent).PolicyNetwork;
        var recurrent = network is ActorCritic { IsRecurrent: true } lstm ? RandomState(lstm.LstmHidden) : null;
        var state = recurrent is null ? null : policy.InitialState(Samples);
        if (state is not null)
        {
            recurrent!.Value.H.CopyTo(state.H, 0);
            recurrent.Value.C.CopyTo(state.C, 0);
        }

        var ort = policy.Run(batch.Observations, Samples, masked ? batch.Masks : default, state);
        var torch = TorchOutputs(network, batch.Observations, env.ObservationSpace.Shape, recurrent);
        var numpy = NumpyOutputs(file, batch, env, recurrent);

        string scores = network is QNetwork ? PolicyFile.QValues : env.ActionSpace is Box ? PolicyFile.Mean : PolicyFile.Logits;
        AssertClose(numpy[scores], ort.Scores, $"{scores}: NumPy vs ORT");
        AssertClose(numpy[scores], torch.Scores, $"{scores}: NumPy vs TorchSharp");
        AssertClose(ort.Scores, torch.Scores, $"{scores}: ONNX Runtime vs TorchSharp");
        if (torch.Values is { } values)
        {
            AssertClose(ort.Values!, values, "value: ONNX Runtime vs TorchSharp");
            AssertClose(numpy[PolicyFile.Value], values, "value: NumPy vs TorchSharp");
        }
        if (state is not null)
        {
            AssertClose(state.H, torch.H!, "h_out: ONNX Runtime vs TorchSharp");
            AssertClose(state.C, torch.C!, "c_out: ONNX Runtime vs TorchSharp");
            AssertClose(numpy[PolicyFile.HiddenOut], torch.H!, "h_out: NumPy vs TorchSharp");
            AssertClose(numpy[PolicyFile.CellOut], torch.C!, "c_out: NumPy vs TorchSharp");
        }
        if (env.ActionSpace is Discrete)
            Assert.That(numpy[PolicyFile.Action].Select(a => (long)a), Is.EqualTo(ort.DiscreteActions), "greedy actions: NumPy vs ONNX Runtime");

        AssertSameGreedyActions(agent, policy, envId, obsSize);
    }

    /// <summary>The agent and the exported file act in lockstep on one env for 1,000 steps: every action equal.</summary>
    private static void AssertSameGreedyActions(IAgent agent, OnnxPolicy policy, string envId, int obsSize)
    {
        using var env = EnvRegistry.Default.Make(envId);
        var greedy = agent.GreedyPolicy();
        var state = policy.IsRecurrent ? policy.InitialState(1) : null;
        var masker = ActionMask.Of(env);
        var mask = masker is null ? null : new bool[((Discrete)env.ActionSpace).N];
        var obs = env.Reset(21).Observation;
        greedy.ResetRows([true]);
        int mismatches = 0;
        var torchAction = new int[1];
        for (int t = 0; t < Samples; t++)
        {
            masker?.WriteActionMask(mask);
            EnvAction action;
            if (env.ActionSpace is Discrete)
            {
                greedy.Act(obs, 1, torchAction, mask);
                int onnxAction = policy.PredictRecurrentOrNot(obs, state, mask);
                if (onnxAction != torchAction[0]) mismatches++;
                action = torchAction[0];
            }
            else
            {
                var torchMean = new float[((Box)env.ActionSpace).FlatSize];
                var onnxMean = new float[torchMean.Length];
                greedy.ActContinuous(obs, 1, torchMean);
                policy.PredictContinuous(obs, 1, onnxMean, state);
                Assert.That(onnxMean, Is.EqualTo(torchMean).Within(1e-5f), $"step {t}");
                action = torchMean;
            }
            var r = env.Step(action);
            obs = r.Observation;
            if (r.Done)
            {
                obs = env.Reset().Observation;
                greedy.ResetRows([true]);
                state?.Reset();
            }
        }
        Assert.That(mismatches, Is.Zero, $"greedy actions differing in {Samples} steps of {envId}");
    }

    private sealed record Batch(float[] Observations, bool[] Masks);

    /// <summary>Observations the env really produces (random play with resets), with their action masks.</summary>
    private static Batch Observations(IEnvironment env, int count, int seed)
    {
        var rng = new Rng((ulong)seed);
        int size = env.ObservationSpace.FlatSize, actions = env.ActionSpace is Discrete d ? d.N : 0;
        var observations = new float[count * size];
        var masks = new bool[count * actions];
        var masker = ActionMask.Of(env);
        var obs = env.Reset(seed).Observation;
        for (int i = 0; i < count; i++)
        {
            obs.AsSpan().CopyTo(observations.AsSpan(i * size, size));
            var row = masks.AsSpan(i * actions, actions);
            if (masker is null) row.Fill(true);
            else masker.WriteActionMask(row);
            EnvAction action;
            if (env.ActionSpace is Discrete discrete)
            {
                int a;
                do a = rng.NextInt(discrete.N); while (!row[a]);
                action = a;
            }
            else
            {
                var box = (Box)env.ActionSpace;
                var values = new float[box.FlatSize];
                box.Sample(rng, values);
                action = values;
            }
            var r = env.Step(action);
            obs = r.Done ? env.Reset().Observation : r.Observation;
        }
        return new Batch(observations, masks);
    }

    private static (float[] H, float[] C)? RandomState(int hidden)
    {
        var rng = new Rng(5);
        var h = new float[Samples * hidden];
        var c = new float[Samples * hidden];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = (float)(rng.NextDouble() * 2 - 1) * 0.9f; // inside tanh's range, as a real hidden state
            c[i] = (float)rng.NextGaussian();
        }
        return (h, c);
    }

    private sealed record TorchResult(float[] Scores, float[]? Values, float[]? H, float[]? C);

    private static TorchResult TorchOutputs(TorchSharp.torch.nn.Module network, float[] observations, int[] shape, (float[] H, float[] C)? state)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var obs = tensor(observations).reshape([Samples, .. shape.Select(d => (long)d)]);
        if (network is QNetwork q) return new TorchResult(q.forward(obs).data<float>().ToArray(), null, null, null);
        var ac = (ActorCritic)network;
        if (state is { } s)
        {
            var h = tensor(s.H).reshape(1, Samples, ac.LstmHidden);
            var c = tensor(s.C).reshape(1, Samples, ac.LstmHidden);
            var (actor, value, hn, cn) = ac.Step(obs, h, c, zeros(Samples));
            return new TorchResult(actor.data<float>().ToArray(), value.data<float>().ToArray(), hn!.data<float>().ToArray(), cn!.data<float>().ToArray());
        }
        var (a, v, _, _) = ac.Step(obs, null, null, null);
        return new TorchResult(a.data<float>().ToArray(), v.data<float>().ToArray(), null, null);
    }

    private Dictionary<string, double[]> NumpyOutputs(string model, Batch batch, IEnvironment env, (float[] H, float[] C)? state)
    {
        string output = Directory.CreateDirectory(Path.Combine(_dir, "numpy")).FullName;
        var inputs = new Dictionary<string, object>
        {
            [PolicyFile.Observations] = Raw("obs", batch.Observations, "float32", [Samples, .. env.ObservationSpace.Shape]),
        };
        if (ActionMask.Of(env) is not null)
            inputs[PolicyFile.ActionMask] = Raw("mask", batch.Masks.Select(m => (byte)(m ? 1 : 0)).ToArray(), "bool", [Samples, ((Discrete)env.ActionSpace).N]);
        if (state is { } s)
        {
            int hidden = s.H.Length / Samples;
            inputs[PolicyFile.HiddenIn] = Raw("h", s.H, "float32", [1, Samples, hidden]);
            inputs[PolicyFile.CellIn] = Raw("c", s.C, "float32", [1, Samples, hidden]);
        }
        string request = Path.Combine(_dir, "request.json");
        File.WriteAllText(request, JsonSerializer.Serialize(new { inputs, output_dir = output }));
        var result = PythonReference.Run(model, request);
        Assert.That(result.Output, Does.Contain("checker: ok").And.Contain("shape inference: ok"), result.Output);
        var described = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(output, "outputs.json")))!;
        var outputs = new Dictionary<string, double[]>();
        foreach (var (name, info) in described)
        {
            var bytes = File.ReadAllBytes(Path.Combine(output, name + ".bin"));
            outputs[name] = info.GetProperty("dtype").GetString() == "int64"
                ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes).ToArray().Select(v => (double)v).ToArray()
                : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray();
        }
        return outputs;

        object Raw<T>(string name, T[] values, string dtype, int[] dims) where T : unmanaged
        {
            string path = Path.Combine(_dir, name + ".bin");
            File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
            return new { file = path, dtype, shape = dims };
        }
    }

    /// <summary>Agreement to 1e-5, relative for values above 1 (float32 sums over hundreds of products).</summary>
    private static void AssertClose(IReadOnlyList<float> actual, IReadOnlyList<float> expected, string what) =>
        AssertClose(actual.Select(v => (double)v).ToArray(), expected, what);

    private static void AssertClose(IReadOnlyList<double> actual, IReadOnlyList<double> expected, string what) =>
        AssertClose(actual, expected.Select(v => (float)v).ToArray(), what);

    private static void AssertClose(IReadOnlyList<double> actual, IReadOnlyList<float> expected, string what)
    {
        Assert.That(actual.Count, Is.EqualTo(expected.Count), $"{what}: sizes");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Count; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            if (!(error <= worst)) (worst, at) = (error, i);
        }
        Assert.That(worst, Is.LessThanOrEqualTo(1e-5), $"{what}: worst difference {worst:g3} at {at} ({(at >= 0 ? $"{actual[at]} vs {expected[at]}" : "")})");
    }
}

internal static class OnnxPolicyTestExtensions
{
    public static int PredictRecurrentOrNot(this OnnxPolicy policy, float[] observation, RecurrentState? state, bool[]? mask) =>
        state is null ? policy.Predict(observation, mask) : policy.PredictRecurrent(observation, state, mask);
}

/// <summary>Runs tests/…/Export/onnx_reference.py with Debian's Python (python3-onnx, python3-numpy: scripts/install-system-deps.sh).</summary>
internal static class PythonReference
{
    public const string Python = "/usr/bin/python3";

    public static string Script => Path.Combine(AppContext.BaseDirectory, "Export", "onnx_reference.py");

    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the NumPy reference evaluation did not finish in 3 minutes");
        }
        string output = stdout.Result + stderr.Result;
        Assert.That(process.ExitCode, Is.Zero, $"{Script} failed: {output}");
        return (process.ExitCode, output);
    }
}
