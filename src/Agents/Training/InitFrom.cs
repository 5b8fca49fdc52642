namespace DeepRL.Agents.Training;

/// <summary>
/// Transfer learning: a run that starts from another run's network weights instead of random ones. The request
/// (<see cref="Run"/>, <see cref="Checkpoint"/>, <see cref="Layers"/>, <see cref="Freeze"/>) is what the user asked;
/// the rest is filled in when the weights are copied, so config.json and summary.json say exactly where they came from.
/// </summary>
public sealed record InitFrom
{
    public const string All = "all", Torso = "torso", None = "none";

    /// <summary>The source run folder.</summary>
    public required string Run { get; init; }

    /// <summary>best or latest; null takes the checkpoint the source run recommends (as <c>deeprl eval</c> does).</summary>
    public string? Checkpoint { get; init; }

    /// <summary>all (every layer, matched by name and shape) or torso (the feature extractor only; heads start fresh).</summary>
    public string Layers { get; init; } = All;

    /// <summary>none, or torso: the transferred feature extractor stays fixed (no gradient; the optimizer skips it).</summary>
    public string Freeze { get; init; } = None;

    /// <summary>The source run's algorithm, env and the step of the checkpoint taken (filled in when copied).</summary>
    public string? SourceAlgo { get; init; }

    public string? SourceEnv { get; init; }

    public long? SourceStep { get; init; }

    /// <summary>SHA-256 of the source checkpoint's model.pt, hex (filled in when copied).</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Parameter tensors copied (filled in when copied).</summary>
    public int? TensorsCopied { get; init; }

    /// <summary>True once the weights were copied (a resumed run keeps its own weights and only re-applies <see cref="Freeze"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Applied => ModelSha256 is not null;

    /// <summary>
    /// <c>RUN</c> or <c>RUN:best</c> / <c>RUN:latest</c>, with the layers to take and what to freeze; unknown values are
    /// refused naming the valid ones.
    /// </summary>
    public static InitFrom Parse(string spec, string? layers = null, string? freeze = null)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ArgumentException("--init-from needs a run folder, e.g. runs/X or runs/X:best.");
        string run = spec, checkpoint = "";
        int colon = spec.LastIndexOf(':');
        if (colon > 0 && spec[(colon + 1)..].ToLowerInvariant() is RunStore.BestCheckpoint or RunStore.LatestCheckpoint)
            (run, checkpoint) = (spec[..colon], spec[(colon + 1)..].ToLowerInvariant());
        var request = new InitFrom
        {
            Run = run,
            Checkpoint = checkpoint.Length == 0 ? null : checkpoint,
            Layers = (layers ?? All).ToLowerInvariant(),
            Freeze = (freeze ?? None).ToLowerInvariant(),
        };
        return request.Validated();
    }

    public InitFrom Validated()
    {
        if (Layers is not (All or Torso)) throw new ArgumentException($"--init-layers must be all or torso, got '{Layers}'.");
        if (Freeze is not (None or Torso)) throw new ArgumentException($"--freeze must be none or torso, got '{Freeze}'.");
        if (Checkpoint is not (null or RunStore.BestCheckpoint or RunStore.LatestCheckpoint))
            throw new ArgumentException($"The checkpoint of --init-from must be best or latest, got '{Checkpoint}'.");
        return this;
    }
}
