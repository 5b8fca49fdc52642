using System.Text.Json;
using DeepRL.Environments;
using DeepRL.Environments.Deployment;
using DeepRL.Environments.Spaces;
using Microsoft.ML.OnnxRuntime;

namespace DeepRL.Inference;

/// <summary>
/// A policy exported by <c>deeprl export</c> (or <c>Agent.Export</c>), run with ONNX Runtime: raw env observations in,
/// the trained agent's greedy actions out — single observations or batches, with action masks and, for LSTM policies,
/// the recurrent state carried by the caller. The spaces and the env it was trained on come from the file's metadata.
/// Not thread-safe: use one instance per thread.
/// </summary>
public sealed class OnnxPolicy : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _path;
    private readonly int _obsSize, _actions;
    private readonly long[] _obsShape;
    private readonly string _scoresName;
    private readonly bool _hasValue;
    private bool[] _allValid = []; // the mask of a caller that passes none, reused while the batch size stays

    private OnnxPolicy(InferenceSession session, string path)
    {
        _session = session;
        _path = path;
        var meta = session.ModelMetadata.CustomMetadataMap;
        Metadata = new Dictionary<string, string>(meta);
        string Required(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"'{path}' is not a DeepRL policy: its metadata has no '{key}'. Export it with 'deeprl export'.");
        ObservationSpace = PolicyFile.SpaceFromJson(Required(PolicyFile.ObservationSpaceKey), path) as Box
                           ?? throw new InvalidDataException($"'{path}': the observation space must be a Box.");
        ActionSpace = PolicyFile.SpaceFromJson(Required(PolicyFile.ActionSpaceKey), path);
        EnvId = Required(PolicyFile.EnvIdKey);
        EnvOptions = JsonSerializer.Deserialize<Dictionary<string, string>>(meta.GetValueOrDefault(PolicyFile.EnvOptionsKey, "{}")) ?? [];
        Algorithm = Required(PolicyFile.AlgoKey);
        PolicyKind = Required(PolicyFile.PolicyKey);
        LstmHidden = meta.TryGetValue(PolicyFile.LstmHiddenKey, out var h) ? int.Parse(h, System.Globalization.CultureInfo.InvariantCulture) : 0;
        AcceptsActionMask = session.InputMetadata.ContainsKey(PolicyFile.ActionMask);
        _obsShape = ObservationSpace.Shape.Select(d => (long)d).ToArray();
        _obsSize = ObservationSpace.FlatSize;
        _actions = ActionSpace switch { Discrete d => d.N, Box b => b.FlatSize, _ => 0 };
        var outputs = session.OutputMetadata.Keys.ToHashSet();
        _scoresName = new[] { PolicyFile.Logits, PolicyFile.QValues, PolicyFile.Mean }.FirstOrDefault(outputs.Contains)
                      ?? throw new InvalidDataException($"'{path}' has none of the outputs {PolicyFile.Logits}, {PolicyFile.QValues}, {PolicyFile.Mean}.");
        _hasValue = outputs.Contains(PolicyFile.Value);
    }

    /// <summary>Loads an exported policy; <paramref name="options"/> picks threads and execution providers (CPU by default).</summary>
    public static OnnxPolicy Load(string path, SessionOptions? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Policy file '{path}' does not exist. Create one with 'deeprl export --run DIR --out {path}'.", path);
        InferenceSession session;
        try
        {
            session = options is null ? new InferenceSession(path) : new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid ONNX model: {ex.Message}", ex);
        }
        try
        {
            return new OnnxPolicy(session, path);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public Box ObservationSpace { get; }

    public Space ActionSpace { get; }

    /// <summary>The env the policy was trained on; make it with <see cref="EnvOptions"/> to get the observations it expects.</summary>
    public string EnvId { get; }

    public IReadOnlyDictionary<string, string> EnvOptions { get; }

    public string Algorithm { get; }

    /// <summary>mlp, cnn or lstm.</summary>
    public string PolicyKind { get; }

    public bool IsRecurrent => LstmHidden > 0;

    /// <summary>LSTM hidden size (0 for feed-forward policies).</summary>
    public int LstmHidden { get; }

    /// <summary>True when the file has the optional action-mask input.</summary>
    public bool AcceptsActionMask { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>A zero LSTM state for <paramref name="batch"/> envs (recurrent policies only).</summary>
    public RecurrentState InitialState(int batch = 1) =>
        IsRecurrent ? new RecurrentState(batch, LstmHidden) : throw new InvalidOperationException($"'{_path}' is not a recurrent policy.");

    /// <summary>The greedy discrete action for one observation (<paramref name="actionMask"/>: valid actions, optional).</summary>
    public int Predict(ReadOnlySpan<float> observation, ReadOnlySpan<bool> actionMask = default)
    {
        Span<int> action = stackalloc int[1];
        PredictBatch(observation, 1, action, actionMask);
        return action[0];
    }

    /// <summary>The greedy discrete actions for <paramref name="count"/> observations (row-major), masks optional.</summary>
    public void PredictBatch(ReadOnlySpan<float> observations, int count, Span<int> actions, ReadOnlySpan<bool> actionMasks = default, RecurrentState? state = null)
    {
        var discrete = Run(observations, count, actionMasks, state).DiscreteActions
                       ?? throw new InvalidOperationException($"This policy has {ActionSpace} actions; call PredictContinuous.");
        for (int i = 0; i < count; i++) actions[i] = (int)discrete[i];
    }

    /// <summary>The greedy (mean) Box actions for <paramref name="count"/> observations: count × action size values.</summary>
    public void PredictContinuous(ReadOnlySpan<float> observations, int count, Span<float> actions, RecurrentState? state = null)
    {
        var continuous = Run(observations, count, default, state).ContinuousActions
                         ?? throw new InvalidOperationException($"This policy has {ActionSpace} actions; call Predict or PredictBatch.");
        continuous.AsSpan(0, count * _actions).CopyTo(actions);
    }

    /// <summary>
    /// One step of a recurrent policy for one env: reads and updates <paramref name="state"/> (zero it when the episode
    /// starts). Returns the discrete action.
    /// </summary>
    public int PredictRecurrent(ReadOnlySpan<float> observation, RecurrentState state, ReadOnlySpan<bool> actionMask = default)
    {
        Span<int> action = stackalloc int[1];
        PredictBatch(observation, 1, action, actionMask, state);
        return action[0];
    }

    /// <summary>
    /// One forward pass over <paramref name="count"/> observations: scores, values and greedy actions. A recurrent
    /// policy needs <paramref name="state"/> (one row per observation), which is advanced in place.
    /// </summary>
    public PolicyOutputs Run(ReadOnlySpan<float> observations, int count, ReadOnlySpan<bool> actionMasks = default, RecurrentState? state = null)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Pass at least one observation.");
        if (observations.Length != count * _obsSize)
            throw new ArgumentException($"Expected {count} observation(s) of {_obsSize} values ({ObservationSpace}), got {observations.Length} values.", nameof(observations));
        if (!actionMasks.IsEmpty)
        {
            if (!AcceptsActionMask)
                throw new ArgumentException($"'{_path}' was exported without an action-mask input; export a run of an env that masks actions.", nameof(actionMasks));
            if (actionMasks.Length != count * _actions)
                throw new ArgumentException($"Expected {count}×{_actions} mask values, got {actionMasks.Length}.", nameof(actionMasks));
        }
        if (IsRecurrent && state is null) throw new ArgumentException($"'{_path}' is recurrent: pass its RecurrentState (InitialState(batch)).", nameof(state));
        if (state is not null && (!IsRecurrent || state.Batch != count || state.Hidden != LstmHidden))
            throw new ArgumentException(IsRecurrent ? $"The state holds {state.Batch} row(s) of {state.Hidden}; this call needs {count} of {LstmHidden}." : "This policy is not recurrent: pass no state.", nameof(state));

        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            inputs[PolicyFile.Observations] = OrtValue.CreateTensorValueFromMemory(observations.ToArray(), [count, .. _obsShape]);
            if (AcceptsActionMask)
            {
                // A caller without masks allows every action.
                if (actionMasks.IsEmpty && _allValid.Length != count * _actions) _allValid = Enumerable.Repeat(true, count * _actions).ToArray();
                var masks = actionMasks.IsEmpty ? _allValid : actionMasks.ToArray();
                inputs[PolicyFile.ActionMask] = OrtValue.CreateTensorValueFromMemory(masks, [count, _actions]);
            }
            if (state is not null)
            {
                inputs[PolicyFile.HiddenIn] = OrtValue.CreateTensorValueFromMemory(state.H, [1, count, state.Hidden]);
                inputs[PolicyFile.CellIn] = OrtValue.CreateTensorValueFromMemory(state.C, [1, count, state.Hidden]);
            }
            var names = new List<string> { _scoresName, PolicyFile.Action };
            if (_hasValue) names.Add(PolicyFile.Value);
            if (state is not null) names.AddRange([PolicyFile.HiddenOut, PolicyFile.CellOut]);
            using var run = new RunOptions();
            using var outputs = _session.Run(run, inputs.Keys.ToArray(), inputs.Values.ToArray(), names);
            var scores = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            long[]? discrete = ActionSpace is Discrete ? outputs[1].GetTensorDataAsSpan<long>().ToArray() : null;
            float[]? continuous = ActionSpace is Box ? outputs[1].GetTensorDataAsSpan<float>().ToArray() : null;
            float[]? values = _hasValue ? outputs[2].GetTensorDataAsSpan<float>().ToArray() : null;
            if (state is not null)
            {
                outputs[names.Count - 2].GetTensorDataAsSpan<float>().CopyTo(state.H);
                outputs[names.Count - 1].GetTensorDataAsSpan<float>().CopyTo(state.C);
            }
            return new PolicyOutputs(scores, values, discrete, continuous);
        }
        finally
        {
            foreach (var value in inputs.Values) value.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
