using System.Text.Json;
using DeepRL.Agents.Config;

namespace DeepRL.Agents.Training;

/// <summary>
/// A run folder's files as the rest of DeepRL reads them: config.json, the complete copy of a checkpoint (recovered
/// from an interrupted save), the step a checkpoint belongs to, and summary.json. Errors name the file and the fix.
/// </summary>
public static class RunStore
{
    public const string LatestCheckpoint = "latest";
    public const string BestCheckpoint = "best";
    internal const string RunStateFile = "run.json";

    /// <summary>Creates a new run folder with config.json; an unwritable place is reported before any training.</summary>
    public static RunDirectory Create(string outputRoot, RunOptions options, string? runName)
    {
        var dir = RunDirectory.Create(outputRoot, options.EnvId, options.Algo, options.Seed, runName);
        ProbeWritable(dir);
        AtomicFile.WriteAllText(dir.ConfigFile, JsonSerializer.Serialize(options, HyperparameterResolver.Json));
        return dir;
    }

    /// <summary>Reads a run's config.json (for resume and eval).</summary>
    public static RunOptions ReadOptions(RunDirectory dir)
    {
        try
        {
            return (JsonSerializer.Deserialize<RunOptions>(File.ReadAllText(dir.ConfigFile), HyperparameterResolver.Json)
                    ?? throw new InvalidDataException($"'{dir.ConfigFile}' is empty.")).Validated(dir.ConfigFile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{dir.ConfigFile}' is not a valid DeepRL run config: {ex.Message}");
        }
    }

    /// <summary>
    /// The complete copy of a run's checkpoint (see <see cref="AtomicFile.ResolveDirectory"/>); when there is none,
    /// an error that names the damaged file, or says the checkpoint does not exist.
    /// </summary>
    public static string CheckpointFolder(RunDirectory dir, string name) =>
        AtomicFile.ResolveDirectory(dir.Checkpoint(name)) ?? MissingOrCorrupt(dir, name);

    /// <summary>
    /// For a resume: puts the complete copy of each checkpoint back in place after a crash (from .old or an interrupted
    /// save), removes leftovers, and returns the latest checkpoint's folder.
    /// </summary>
    public static string RecoverLatest(RunDirectory dir)
    {
        AtomicFile.Recover(dir.Checkpoint(BestCheckpoint));
        return AtomicFile.Recover(dir.Checkpoint(LatestCheckpoint)) ?? MissingOrCorrupt(dir, LatestCheckpoint);
    }

    /// <summary>The run's summary.json when the run finished (completed or solved), else null.</summary>
    public static RunSummary? FinishedSummary(RunDirectory dir)
    {
        if (!File.Exists(dir.SummaryFile)) return null;
        var summary = CheckpointFiles.ReadJson<RunSummary>(dir.SummaryFile);
        return summary.Status is "completed" or "solved" ? summary : null;
    }

    /// <summary>
    /// The checkpoint to use from a run: the one its final report recommends, else (unfinished) best if it has one,
    /// else latest.
    /// </summary>
    public static string RecommendedCheckpoint(RunDirectory dir) =>
        FinishedSummary(dir)?.Recommended
        ?? (AtomicFile.ResolveDirectory(dir.Checkpoint(BestCheckpoint)) is not null ? BestCheckpoint : LatestCheckpoint);

    /// <summary>The env step at which the checkpoint in <paramref name="checkpointFolder"/> was saved.</summary>
    public static long CheckpointStep(string checkpointFolder) => ReadState(checkpointFolder).Step;

    /// <summary>The run's counters saved with a checkpoint (run.json), validated.</summary>
    public static RunState ReadState(string checkpointFolder)
    {
        string path = Path.Combine(checkpointFolder, RunStateFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint file '{path}' is missing.", path);
        return CheckpointFiles.ReadJson<RunState>(path).Validated(path);
    }

    public static void WriteSummary(RunDirectory dir, RunSummary summary) =>
        AtomicFile.WriteAllText(dir.SummaryFile, JsonSerializer.Serialize(summary, HyperparameterResolver.Json));

    /// <summary>Writes and deletes a probe file, so an unwritable run folder is reported before any training.</summary>
    public static void ProbeWritable(RunDirectory dir)
    {
        string probe = Path.Combine(dir.Path, $".write-probe-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, new byte[4096]);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RunStorageException($"Cannot write to run folder '{dir.Path}': {RunStorageException.Cause(ex, dir.Path)}.", ex);
        }
    }

    private static string MissingOrCorrupt(RunDirectory dir, string name)
    {
        string folder = dir.Checkpoint(name);
        if (Directory.Exists(folder)) CheckpointManifest.Verify(folder); // throws, naming the damaged file
        throw new FileNotFoundException($"Run '{dir.Path}' has no complete checkpoints/{name} (has it trained yet?).");
    }
}
