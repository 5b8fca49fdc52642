using System.Text.Json;
using DeepRL.Agents.Config;
using Microsoft.Extensions.Logging;

namespace DeepRL.Agents.Training;

/// <summary>
/// Saves a run's checkpoints: the agent's files and the run's counters (run.json) replace the previous copy atomically,
/// so a crash mid-save leaves the last complete one; a failed write becomes a <see cref="RunStorageException"/> saying
/// whether an earlier checkpoint is intact and how to go on. An in-memory run has nothing to save.
/// </summary>
internal sealed class Checkpointer(RunDirectory? dir, IAgent agent, ILogger log)
{
    public void Save(string name, bool includeReplay, RunState state)
    {
        if (dir is null) return; // in memory: the agent itself holds the weights
        try
        {
            AtomicFile.ReplaceDirectory(dir.Checkpoint(name), tmp =>
            {
                agent.Save(tmp, includeReplay);
                File.WriteAllText(Path.Combine(tmp, RunStore.RunStateFile), JsonSerializer.Serialize(state, HyperparameterResolver.Json));
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string resumable = AtomicFile.ResolveDirectory(dir.Checkpoint(RunStore.LatestCheckpoint)) is null
                ? "There is no earlier checkpoint."
                : $"The previous checkpoint is intact: fix the cause, then resume the run in {dir.Path}.";
            throw new RunStorageException($"Could not save checkpoint '{name}' in {dir.CheckpointsDir}: {RunStorageException.Cause(ex, dir.Path)}. {resumable}", ex);
        }
        log.LogDebug("Saved checkpoint {Name} at step {Step}", name, state.Step);
    }

    /// <summary>
    /// Loads the agent from the run's latest checkpoint and cuts the metrics back to its step; returns the run's counters
    /// there. Says whether the resume is exact for an agent whose replay buffer was not saved.
    /// </summary>
    public static RunState Restore(RunDirectory dir, IAgent agent, ILogger log)
    {
        RunStore.ProbeWritable(dir);
        string checkpoint = RunStore.RecoverLatest(dir);
        var state = RunStore.ReadState(checkpoint);
        bool hasReplay = File.Exists(Path.Combine(checkpoint, "replay.msgpack"));
        agent.Load(checkpoint, includeReplay: hasReplay);
        MetricsLog.TruncateAfter(dir, state.Step);
        TensorBoardEvents.TruncateAfter(dir.TensorBoardDir, state.Step);
        if (!agent.UsesReplay) log.LogInformation("Resuming {Run} at step {Step}", dir.Name, state.Step);
        else if (hasReplay) log.LogInformation("Resuming {Run} at step {Step} with its replay buffer", dir.Name, state.Step);
        else log.LogWarning("Resuming {Run} at step {Step}; its replay buffer was not saved with the checkpoint (RunOptions.SaveReplay was off), so it refills from scratch and this resume is not exact", dir.Name, state.Step);
        return state;
    }
}
