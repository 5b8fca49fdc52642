namespace DeepRL.Environments.GridWorlds;

/// <summary>How a gridworld presents its state.</summary>
public enum GridObservation
{
    /// <summary>One-hot agent cell (H·W floats), plus two cue flags on cued maps. For MLPs.</summary>
    OneHot,

    /// <summary>Agent (row, column) scaled to [0, 1], plus two cue flags on cued maps. For MLPs.</summary>
    Coordinates,

    /// <summary>C×H×W binary planes: wall, agent, goal, hazard (lava/hole/cliff), cue. For CNNs.</summary>
    Image,
}
