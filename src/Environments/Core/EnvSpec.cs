namespace DeepRL.Environments;

/// <summary>How the registry builds an environment, and the facts a user needs to pick one.</summary>
/// <param name="Id">Gymnasium-style id such as <c>CartPole-v1</c>.</param>
/// <param name="Factory">Builds the bare environment (the registry adds the time limit).</param>
/// <param name="MaxEpisodeSteps">Time limit added by the registry as a <c>TimeLimit</c> wrapper, or null.</param>
/// <param name="RewardThreshold">Mean return at which the task counts as solved, or null.</param>
/// <param name="Description">One line for <c>deeprl envs</c>.</param>
/// <param name="Family">Group name used by listings and rendering examples.</param>
/// <param name="MaxEpisodeStepsFor">
/// When the time limit depends on the options (a T-maze's corridor length), computes it from them after the factory
/// built the env; null when <paramref name="MaxEpisodeSteps"/> holds for every option.
/// </param>
public sealed record EnvSpec(
    string Id,
    Func<EnvOptions, IEnvironment> Factory,
    int? MaxEpisodeSteps = null,
    double? RewardThreshold = null,
    string Description = "",
    string Family = "custom",
    Func<EnvOptions, int?>? MaxEpisodeStepsFor = null);
