using DeepRL.Agents.Training;
using Microsoft.Extensions.Logging;

namespace DeepRL;

/// <summary>How <see cref="Agent.Learn"/> trains: where to write (if anywhere), evaluation, and callbacks.</summary>
public sealed record LearnOptions
{
    /// <summary>Folder for run directories (like <c>deeprl train --out</c>); null trains in memory and writes no files.</summary>
    public string? RunFolder { get; init; }

    /// <summary>Env steps between deterministic evaluations (0 = none during training).</summary>
    public long EvalEvery { get; init; }

    public int EvalEpisodes { get; init; } = RunOptions.DefaultEvalEpisodes;

    /// <summary>Episodes of the final evaluation (0 = skip).</summary>
    public int FinalEvalEpisodes { get; init; }

    /// <summary>Stop once an evaluation (confirmed on independent seeds) reaches the env's reward threshold.</summary>
    public bool StopWhenSolved { get; init; }

    /// <summary>Env steps between checkpoints when <see cref="RunFolder"/> is set (0 = only at the end).</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>After every env (or vector) step, with the step count; return false to stop training.</summary>
    public Func<long, bool>? OnStep { get; init; }

    /// <summary>After every finished training episode (return, length, step); return false to stop training.</summary>
    public Func<double, int, long, bool>? OnEpisode { get; init; }

    /// <summary>After every evaluation; return false to stop training (e.g. at a reward threshold).</summary>
    public Func<EvalRecord, bool>? OnEvaluation { get; init; }

    /// <summary>Log messages (progress, evaluations); none when null.</summary>
    public ILogger? Logger { get; init; }
}
