using System.CommandLine;

namespace DeepRL.Cli;

/// <summary>Options shared by several commands, defined once so names and help stay consistent.</summary>
public static class CommonOptions
{
    public static Option<string> Env(bool required = true) => new("--env", "-e")
    {
        Description = "Environment id, e.g. CartPole-v1 (see 'deeprl envs')",
        Required = required,
    };

    public static Option<string[]> EnvOptions() => new("--env-option")
    {
        Description = "Environment keyword option key=value (repeatable), e.g. obs=image",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };

    public static Option<int?> Seed() => new("--seed", "-s") { Description = "Random seed (makes the run reproducible)" };

    public static Option<int> Episodes(int fallback) => new("--episodes", "-n")
    {
        Description = "Number of episodes",
        DefaultValueFactory = _ => fallback,
    };
}
