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

    /// <summary>A step-count option that also accepts 1e5, 100k, 2M and 100_000 (see <see cref="StepCount"/>).</summary>
    public static Option<long?> Steps(string name, string description) => new(name)
    {
        Description = description + " (e.g. 100000, 1e5, 100k)",
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (StepCount.TryParse(text, out long v, out string? error)) return v;
            result.AddError($"{name}: {error}");
            return null;
        },
    };

    public static Option<int?> Seed() => new("--seed", "-s") { Description = "Random seed (makes the run reproducible)" };

    public static Option<int> Episodes(int fallback) => new("--episodes", "-n")
    {
        Description = "Number of episodes",
        DefaultValueFactory = _ => fallback,
    };
}
