using System.Text.Json;
using DeepRL.Agents.Config;
using TorchSharp;

namespace DeepRL.Agents.Training;

/// <summary>Loads checkpoint files with errors that name the file and what went wrong.</summary>
public static class CheckpointFiles
{
    public static void LoadModule(torch.nn.Module module, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint file '{path}' is missing.", path);
        Guard(path, () => module.load(path));
    }

    public static void Guard(string path, Action load)
    {
        try
        {
            load();
        }
        catch (Exception ex) when (ex is not FileNotFoundException)
        {
            throw new InvalidDataException(
                $"Checkpoint file '{path}' is corrupt or was saved by a different network/config ({ex.GetType().Name}: {ex.Message}).", ex);
        }
    }

    /// <summary>A saved random-generator state: exactly 4 words, not all zero (a generator stuck at zero repeats forever).</summary>
    public static ulong[] RngState(ulong[]? state, string path)
    {
        if (state is null || state.Length != 4 || state.All(w => w == 0))
            throw new InvalidDataException($"Checkpoint file '{path}' is invalid: rng must hold 4 numbers, not all zero (got {(state is null ? "null" : $"[{string.Join(", ", state)}]")}).");
        return state;
    }

    public static T ReadJson<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), HyperparameterResolver.Json)
                   ?? throw new InvalidDataException($"Checkpoint file '{path}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Checkpoint file '{path}' is corrupt: {ex.Message}");
        }
    }
}
