using TorchSharp;

namespace DeepRL.Agents.Export;

/// <summary>An agent whose acting network can be exported (see <see cref="PolicyExport"/>).</summary>
public interface IExportablePolicy
{
    /// <summary>The network that chooses actions: DQN's online Q-network, or an actor-critic.</summary>
    torch.nn.Module PolicyNetwork { get; }
}
