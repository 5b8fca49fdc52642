using System.Text.Json;
using DeepRL.Agents.Config;
using DeepRL.Agents.Torch;
using DeepRL.Environments;
using TorchSharp;

namespace DeepRL.Agents.Training;

/// <summary>
/// The checkpoint files of a one-network agent (PPO, A2C): <c>model.pt</c>, <c>optimizer.pt</c> and the
/// random state in <c>agent.json</c>. Evaluation loads the network only.
/// </summary>
public static class NetworkCheckpoint
{
    public static void Save(string directory, torch.nn.Module network, IOptimizer optimizer, Rng rng)
    {
        network.save(Path.Combine(directory, "model.pt"));
        optimizer.Save(Path.Combine(directory, "optimizer.pt"));
        File.WriteAllText(Path.Combine(directory, "agent.json"), JsonSerializer.Serialize(new AgentState(rng.GetState()), HyperparameterResolver.Json));
    }

    public static void Load(string directory, torch.nn.Module network, IOptimizer optimizer, Rng rng, bool includeTrainingState)
    {
        CheckpointFiles.LoadModule(network, Path.Combine(directory, "model.pt"));
        if (!includeTrainingState) return;
        string optimizerFile = Path.Combine(directory, "optimizer.pt");
        if (File.Exists(optimizerFile)) CheckpointFiles.Guard(optimizerFile, () => optimizer.Load(optimizerFile));
        string agent = Path.Combine(directory, "agent.json");
        if (File.Exists(agent)) rng.SetState(CheckpointFiles.RngState(CheckpointFiles.ReadJson<AgentState>(agent).Rng, agent));
    }

    private sealed record AgentState(ulong[] Rng);
}
