using System.Text.Json;
using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Deployment;

/// <summary>
/// The contract of an exported policy file (<c>policy.onnx</c>): tensor names, and the metadata that says how raw env
/// observations map to the run's actions. The exporter (DeepRL.Agents) writes it; DeepRL.Inference and any other ONNX
/// runtime read it. Every input and output has a dynamic first dimension, the batch.
/// </summary>
public static class PolicyFile
{
    /// <summary>Input: observations [batch, …observation shape], float32, exactly as the env returns them.</summary>
    public const string Observations = "observation";

    /// <summary>Optional input: valid actions [batch, actions], bool (true = allowed); masked actions are never chosen.</summary>
    public const string ActionMask = "action_mask";

    /// <summary>Recurrent policies: LSTM state in [1, batch, hidden] (zeros at an episode's start) and out (feed it back next step).</summary>
    public const string HiddenIn = "h_in", CellIn = "c_in", HiddenOut = "h_out", CellOut = "c_out";

    /// <summary>Output: the greedy action — int64 [batch] for Discrete, float32 [batch, action size] (the Gaussian mean) for Box.</summary>
    public const string Action = "action";

    /// <summary>Outputs of the network: logits (actor-critic, Discrete), mean (Box), q_values (DQN), value (actor-critic).</summary>
    public const string Logits = "logits", Mean = "mean", QValues = "q_values", Value = "value";

    /// <summary>Metadata keys (ModelProto.metadata_props).</summary>
    public const string EnvIdKey = "deeprl.env_id", EnvOptionsKey = "deeprl.env_options", AlgoKey = "deeprl.algo",
        PolicyKey = "deeprl.policy", ObservationSpaceKey = "deeprl.observation_space", ActionSpaceKey = "deeprl.action_space",
        VersionKey = "deeprl.version", StepsKey = "deeprl.steps", LstmHiddenKey = "deeprl.lstm_hidden",
        PreprocessingKey = "deeprl.preprocessing";

    public static string SpaceToJson(Space space) => JsonSerializer.Serialize(SpaceDescription.Of(space), Json);

    public static Space SpaceFromJson(string json, string file) =>
        (JsonSerializer.Deserialize<SpaceDescription>(json, Json) ?? throw new InvalidDataException($"'{file}' holds an empty space.")).ToSpace(file);

    // Unbounded Box dimensions are ±∞: written as "Infinity" strings.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
