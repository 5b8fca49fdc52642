using DeepRL.Environments;

namespace DeepRL.Agents.Training;

/// <summary>Whether a trained agent can act in an environment: the same observation shape and action space.</summary>
public static class SpaceCompatibility
{
    public static bool Fits(IAgent agent, IEnvironment env) =>
        env.ObservationSpace.Shape.SequenceEqual(agent.ObservationSpace.Shape) && env.ActionSpace.ToString() == agent.ActionSpace.ToString();
}
