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

    /// <summary>
    /// Episodes per periodic evaluation. 30 by default: the 95% interval of the mean is then about ±0.37 standard
    /// deviations of the return (±0.72 with 10), small enough that a "better" evaluation is rarely just luck,
    /// and evaluation runs all episodes as one batch, so it stays cheap.
    /// </summary>
    public int EvalEpisodes { get; init; } = DefaultEvalEpisodes;

    public const int DefaultEvalEpisodes = 30;

    /// <summary>Episodes of the final report (latest and best checkpoints on fresh seeds); 0 skips it.</summary>
    public int FinalEvalEpisodes { get; init; } = DefaultFinalEvalEpisodes;

    public const int DefaultFinalEvalEpisodes = 100;

    /// <summary>Env steps between <c>latest</c> checkpoints (0 = only at the end or on interrupt).</summary>
    public long CheckpointEvery { get; init; } = 25_000;

    /// <summary>Include the replay buffer in <c>latest</c> checkpoints (exact resume for off-policy agents).</summary>
    public bool SaveReplay { get; init; }

    /// <summary>Stop early once the evaluation mean reaches the env's reward threshold.</summary>
    public bool StopWhenSolved { get; init; }

    /// <summary>
    /// What a non-finite loss or gradient does: <c>stop</c> (default: stop the run, keeping the last good checkpoint)
    /// or <c>skip</c> (skip that update with a warning and go on). Non-finite rewards or observations always stop:
    /// they mean the environment is broken.
    /// </summary>
    public string OnNan { get; init; } = "stop";

    /// <summary>Plugin assemblies (full paths) the run's environment came from, loaded again by eval/watch/record/resume.</summary>
    public string[] EnvAssemblies { get; init; } = [];

    /// <summary>Transfer learning: the run whose weights this one started from (null: random initialisation).</summary>
    public InitFrom? InitFrom { get; init; }

    /// <summary>Resolved algorithm hyperparameters (snake_case JSON object).</summary>
    public JsonObject Hyperparameters { get; init; } = new();

    /// <summary>Rejects nulls and out-of-range values, naming the file and the field.</summary>
    public RunOptions Validated(string path)
    {
        string? problem =
            string.IsNullOrWhiteSpace(EnvId) ? "env_id is missing" :
            string.IsNullOrWhiteSpace(Algo) ? "algo is missing" :
            EnvOptions is null ? "env_options is null" :
            string.IsNullOrWhiteSpace(Device) ? "device is missing" :
            EvalEvery < 0 ? $"eval_every is {EvalEvery}" :
            EvalEpisodes < 1 ? $"eval_episodes is {EvalEpisodes}" :
            FinalEvalEpisodes < 0 ? $"final_eval_episodes is {FinalEvalEpisodes}" :
            CheckpointEvery < 0 ? $"checkpoint_every is {CheckpointEvery}" :
            OnNan is not ("stop" or "skip") ? $"on_nan is '{OnNan}' (stop or skip)" :
            Hyperparameters is null ? "hyperparameters is null" :
            EnvAssemblies is null ? "env_assemblies is null" :
            null;
        if (problem is not null) throw new InvalidDataException($"'{path}' is not a valid DeepRL run config: {problem}.");
        return this;
    }
}
