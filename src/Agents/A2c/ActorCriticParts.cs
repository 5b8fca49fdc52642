using DeepRL.Agents.Networks;
using DeepRL.Agents.Policies;
using DeepRL.Agents.Torch;
using DeepRL.Environments.Spaces;
using TorchSharp.Modules;

namespace DeepRL.Agents.A2c;

/// <summary>Builds the network and optimizer A2C and A3C share, from their common hyperparameters.</summary>
public static class ActorCriticParts
{
    public static ActorCritic Network(ActorCriticConfig c, Box observationSpace, Space actionSpace)
    {
        var kind = NetworkFactory.Resolve(c.Policy, observationSpace.Shape);
        int outputs = actionSpace switch
        {
            Discrete d => d.N,
            Box b => b.FlatSize,
            _ => throw new ArgumentException($"A2C/A3C support Discrete and Box action spaces, not {actionSpace}."),
        };
        return new ActorCritic(kind, observationSpace.Shape, outputs, actionSpace is Box, c.NetArch, c.SharedTorso, c.LstmHidden, c.LogStdInit,
            c.CriticTrainsLstm, c.Transformer);
    }

    /// <summary>rmsprop (PyTorch's, SB3's default for A2C), rmsprop_tf (TensorFlow's, as in the A3C paper) or adam.</summary>
    public static IOptimizer Optimizer(ActorCriticConfig c, IEnumerable<Parameter> parameters) => c.Optimizer switch
    {
        "adam" => new AdamOptimizer(parameters, c.LearningRate, eps: c.OptimizerEps),
        "rmsprop_tf" => new RmsPropOptimizer(parameters, c.LearningRate, c.RmsAlpha, c.OptimizerEps, tfStyle: true),
        _ => new RmsPropOptimizer(parameters, c.LearningRate, c.RmsAlpha, c.OptimizerEps),
    };

    /// <summary>The learning rate at a point of the run's schedules (linear decay to 0 with anneal_lr).</summary>
    public static double LearningRate(ActorCriticConfig c, double progress) =>
        c.AnnealLr ? c.LearningRate * (1.0 - progress) : c.LearningRate;
}
