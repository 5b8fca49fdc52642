using System.Reflection;
using System.Text.Json;
using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Training;
using DeepRL.Environments.Deployment;
using DeepRL.Environments.Spaces;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace DeepRL.Agents.Export;

/// <summary>Where an exported policy comes from: written into the file's metadata.</summary>
/// <param name="EnvId">The env the policy was trained on.</param>
/// <param name="EnvOptions">The env options of the run (they fix observation layout, frame stacking and the like).</param>
/// <param name="Algo">dqn, ppo, a2c, a3c or impala.</param>
/// <param name="Steps">Env steps the policy was trained for (0 when unknown).</param>
/// <param name="IncludeActionMask">Add the optional <see cref="PolicyFile.ActionMask"/> input.</param>
public sealed record ExportSource(string EnvId, IReadOnlyDictionary<string, string> EnvOptions, string Algo, long Steps, bool IncludeActionMask);

/// <summary>
/// Writes an agent's acting network as a standard ONNX model (opset 15) that maps raw env observations to the run's
/// greedy actions — see <see cref="PolicyFile"/> for its inputs, outputs and metadata. Layers become Conv, Gemm,
/// Relu/Tanh, Flatten and ONNX's LSTM operator; the weights are copied as float32 initializers. A network this
/// exporter does not know is refused with its name rather than written half.
/// </summary>
public static class PolicyExport
{
    /// <summary>The ONNX opset of exported files.</summary>
    public const int Opset = OnnxGraphBuilder.Opset;

    public static void Export(IAgent agent, ExportSource source, string path)
    {
        var network = (agent as IExportablePolicy)?.PolicyNetwork
                      ?? throw new NotSupportedException($"The {agent.Algo} agent does not expose a network to export.");
        var g = new OnnxGraphBuilder();
        var obsShape = agent.ObservationSpace.Shape;
        string obs = g.Input(PolicyFile.Observations, DataType.Float, obsShape.Select(d => (long)d).ToArray());
        int actions = agent.ActionSpace switch
        {
            Discrete d => d.N,
            Box b => b.FlatSize,
            var other => throw new NotSupportedException($"Exporting policies for {other} action spaces is not supported."),
        };
        bool discrete = agent.ActionSpace is Discrete;
        if (source.IncludeActionMask && !discrete) throw new NotSupportedException("Action masks apply to Discrete actions only.");
        string? mask = source.IncludeActionMask ? g.Input(PolicyFile.ActionMask, DataType.Bool, actions) : null;

        string policy;
        int lstmHidden = 0;
        using (no_grad())
        {
            switch (network)
            {
                case QNetwork q:
                    policy = TorsoName(q.Torso);
                    g.Output(PolicyFile.QValues, DataType.Float, actions);
                    string features = Torso(g, q.Torso, obs, obsShape);
                    if (q.ValueHead is { } valueHead)
                    {
                        // Dueling: Q = V + A − mean_a A.
                        string advantages = Linear(g, q.Head, features);
                        string value = Linear(g, valueHead, features);
                        string meanAdvantage = g.Node("ReduceMean", [advantages], attributes: [OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 1)])[0];
                        string centred = g.Node1("Sub", advantages, meanAdvantage);
                        g.Node("Add", [value, centred], [PolicyFile.QValues]);
                    }
                    else
                    {
                        Linear(g, q.Head, features, PolicyFile.QValues);
                    }
                    GreedyDiscrete(g, PolicyFile.QValues, mask);
                    break;
                case ActorCritic { Transformer: not null }:
                    throw new NotSupportedException("Transformer policies cannot be exported to ONNX yet (only mlp, cnn and lstm); " +
                                                    "evaluate, watch and record the run with --run instead of --onnx.");
                case ActorCritic ac:
                    policy = ac.IsRecurrent ? "lstm" : TorsoName(ac.ActorTorso);
                    lstmHidden = ac.LstmHidden;
                    ActorCriticGraph(g, ac, obs, obsShape, actions, discrete, mask);
                    break;
                default:
                    throw new NotSupportedException($"Cannot export a {network.GetType().Name} network to ONNX.");
            }
        }

        var metadata = new Dictionary<string, string>
        {
            [PolicyFile.EnvIdKey] = source.EnvId,
            [PolicyFile.EnvOptionsKey] = JsonSerializer.Serialize(source.EnvOptions),
            [PolicyFile.AlgoKey] = source.Algo,
            [PolicyFile.PolicyKey] = policy,
            [PolicyFile.ObservationSpaceKey] = PolicyFile.SpaceToJson(agent.ObservationSpace),
            [PolicyFile.ActionSpaceKey] = PolicyFile.SpaceToJson(agent.ActionSpace),
            [PolicyFile.VersionKey] = Version,
            [PolicyFile.StepsKey] = source.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [PolicyFile.PreprocessingKey] = "none: the graph reads float32 observations exactly as the env (made with the id and options above) returns them",
        };
        if (lstmHidden > 0) metadata[PolicyFile.LstmHiddenKey] = lstmHidden.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var model = g.Model(metadata, Version);
        AtomicFile.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
    }

    private static string Version =>
        typeof(PolicyExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private static void ActorCriticGraph(OnnxGraphBuilder g, ActorCritic ac, string obs, int[] obsShape, int actions, bool discrete, string? mask)
    {
        string features = Torso(g, ac.ActorTorso, obs, obsShape);
        if (ac.Lstm is { } lstm)
        {
            int hidden = ac.LstmHidden;
            string hIn = g.StateValue(PolicyFile.HiddenIn, hidden, output: false);
            string cIn = g.StateValue(PolicyFile.CellIn, hidden, output: false);
            g.StateValue(PolicyFile.HiddenOut, hidden, output: true);
            g.StateValue(PolicyFile.CellOut, hidden, output: true);
            features = Lstm(g, lstm, features, hidden, hIn, cIn);
        }
        g.Output(discrete ? PolicyFile.Logits : PolicyFile.Mean, DataType.Float, actions);
        g.Output(PolicyFile.Value, DataType.Float);
        string actor = Linear(g, ac.ActorHead, features, discrete ? PolicyFile.Logits : PolicyFile.Mean);
        string criticFeatures = ac.CriticTorso is { } criticTorso ? Torso(g, criticTorso, obs, obsShape) : features;
        string value = Linear(g, ac.CriticHead, criticFeatures);
        g.Node("Reshape", [value, g.Int64s("flat", -1)], [PolicyFile.Value]);
        if (discrete)
        {
            GreedyDiscrete(g, actor, mask);
        }
        else
        {
            // The greedy action of a Gaussian policy is its mean (the env clips it into its Box, as in training).
            g.Output(PolicyFile.Action, DataType.Float, actions);
            g.Node("Identity", [actor], [PolicyFile.Action]);
        }
    }

    /// <summary>argmax over the (valid) scores: masked actions get −∞ first.</summary>
    private static void GreedyDiscrete(OnnxGraphBuilder g, string scores, string? mask)
    {
        g.Output(PolicyFile.Action, DataType.Int64);
        if (mask is not null) scores = g.Node1("Where", mask, scores, g.Scalar("masked", float.NegativeInfinity));
        g.Node("ArgMax", [scores], [PolicyFile.Action], attributes: [OnnxGraphBuilder.Int("axis", 1), OnnxGraphBuilder.Int("keepdims", 0)]);
    }

    private static string TorsoName(nn.Module<Tensor, Tensor> torso) =>
        torso.named_children().Any(c => c.module is Conv2d) ? "cnn" : "mlp";

    /// <summary>The torso's layers in order (see <see cref="NetworkFactory.Torso"/>).</summary>
    private static string Torso(OnnxGraphBuilder g, nn.Module<Tensor, Tensor> torso, string x, int[] obsShape)
    {
        foreach (var (name, layer) in torso.named_children())
        {
            x = layer switch
            {
                Conv2d conv => g.Node("Conv", [x, Weights(g, "conv_w", conv.weight!), Weights(g, "conv_b", conv.bias!)],
                    attributes: [OnnxGraphBuilder.Ints("kernel_shape", conv.weight!.shape[2], conv.weight.shape[3]),
                        OnnxGraphBuilder.Ints("pads", Enumerable.Repeat((long)NetworkFactory.ConvPadding(obsShape), 4).ToArray()),
                        OnnxGraphBuilder.Ints("strides", 1, 1)])[0],
                ReLU => g.Node1("Relu", x),
                Tanh => g.Node1("Tanh", x),
                Flatten => g.Node("Flatten", [x], attributes: [OnnxGraphBuilder.Int("axis", 1)])[0],
                Linear linear => Linear(g, linear, x),
                _ => throw new NotSupportedException($"Cannot export layer '{name}' ({layer.GetType().Name}) to ONNX."),
            };
        }
        return x;
    }

    /// <summary>y = x·Wᵀ + b as one Gemm (transB: TorchSharp stores W as [out, in]).</summary>
    private static string Linear(OnnxGraphBuilder g, Linear linear, string x, string? output = null)
    {
        string w = Weights(g, "fc_w", linear.weight!);
        string b = Weights(g, "fc_b", linear.bias!);
        return g.Node("Gemm", [x, w, b], output is null ? null : [output], attributes: [OnnxGraphBuilder.Int("transB", 1)])[0];
    }

    /// <summary>
    /// One step of the single-layer LSTM with ONNX's LSTM operator. ONNX orders the gates i, o, f, c; PyTorch and
    /// TorchSharp i, f, g(=c), o: the weight blocks are reordered. B is [W_b, R_b] (both biases, as in PyTorch).
    /// </summary>
    private static string Lstm(OnnxGraphBuilder g, LstmLayer lstm, string features, int hidden, string hIn, string cIn)
    {
        float[] Reorder(Tensor t)
        {
            var v = t.detach().cpu().contiguous().data<float>().ToArray();
            int block = v.Length / 4;
            return [.. v.AsSpan(0, block), .. v.AsSpan(3 * block, block), .. v.AsSpan(block, block), .. v.AsSpan(2 * block, block)];
        }
        long inputSize = lstm.WeightIh.shape[1];
        string w = g.Weights("lstm_w", Reorder(lstm.WeightIh), 1, 4 * hidden, inputSize);
        string r = g.Weights("lstm_r", Reorder(lstm.WeightHh), 1, 4 * hidden, hidden);
        string b = g.Weights("lstm_b", [.. Reorder(lstm.BiasIh), .. Reorder(lstm.BiasHh)], 1, 8 * hidden);
        string sequence = g.Node1("Reshape", features, g.Int64s("seq_shape", 1, -1, inputSize)); // [seq 1, batch, features]
        var outputs = g.Node("LSTM", [sequence, w, r, b, "", hIn, cIn], [g.Unique("lstm_y"), PolicyFile.HiddenOut, PolicyFile.CellOut],
            attributes: [OnnxGraphBuilder.Int("hidden_size", hidden)]);
        return g.Node1("Reshape", outputs[0], g.Int64s("batch_hidden", -1, hidden)); // Y is [seq, directions, batch, hidden]
    }

    private static string Weights(OnnxGraphBuilder g, string name, Tensor t) =>
        g.Weights(name, t.detach().cpu().contiguous().data<float>().ToArray(), t.shape);
}
