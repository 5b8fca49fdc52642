using System.Text.Json.Nodes;

namespace DeepRL.Agents.Training;

/// <summary>Settings of a training run that every algorithm shares (saved in config.json next to the hyperparameters).</summary>
public sealed record RunOptions
{
    public required string EnvId { get; init; }

    public required string Algo { get; init; }

    public Dictionary<string, string> EnvOptions { get; init; } = new();

    public int Seed { get; init; } = 1;

    public string Device { get; init; } = "cpu";

    /// <summary>Env steps between deterministic evaluations (0 = only at the end).</summary>
    public long EvalEvery { get; init; } = 10_000;

    public int EvalEpisodes { get; init; } = 10;

    /// <summary>Env steps between <c>latest</c> checkpoints (0 = only at the end or on interrupt).</summary>
    public long CheckpointEvery { get; init; } = 25_000;

    /// <summary>Include the replay buffer in <c>latest</c> checkpoints (exact resume for off-policy agents).</summary>
    public bool SaveReplay { get; init; }

    /// <summary>Stop early once the evaluation mean reaches the env's reward threshold.</summary>
    public bool StopWhenSolved { get; init; }

    /// <summary>Resolved algorithm hyperparameters (snake_case JSON object).</summary>
    public JsonObject Hyperparameters { get; init; } = new();
}
