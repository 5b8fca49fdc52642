using DeepRL.Agents;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace DeepRL.Tests.Agents;

/// <summary>Runs small training jobs in-process with the same plumbing as 'deeprl train'.</summary>
public static class TrainingHarness
{
    public static RunOptions Options(string env, string algo, int seed, IEnumerable<string> overrides, long evalEvery = 0,
        int evalEpisodes = 20, bool saveReplay = false, long checkpointEvery = 0, Dictionary<string, string>? envOptions = null,
        int finalEvalEpisodes = 0) => new()
    {
        EnvId = env,
        Algo = algo,
        Seed = seed,
        EvalEvery = evalEvery,
        EvalEpisodes = evalEpisodes,
        FinalEvalEpisodes = finalEvalEpisodes,
        SaveReplay = saveReplay,
        CheckpointEvery = checkpointEvery,
        EnvOptions = envOptions ?? new(),
        Hyperparameters = AgentCatalog.ResolveHyperparameters(algo, env, null, overrides),
    };

    public static (RunSummary Summary, RunDirectory Dir) Train(RunOptions options, string outRoot, ITrainingObserver? observer = null,
        Action<TrainingRun>? beforeTrain = null)
    {
        using var probe = EnvRegistry.Default.Make(options.EnvId, new EnvOptions(options.EnvOptions));
        var (agent, total) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, CPU);
        using var _ = agent;
        using var run = TrainingRun.Create(options, agent, total, outRoot, EnvRegistry.Default, NullLogger.Instance, observer);
        beforeTrain?.Invoke(run);
        return (run.Train(), run.Directory);
    }

    public static RunSummary Resume(RunDirectory dir, long? totalSteps = null, ITrainingObserver? observer = null, Microsoft.Extensions.Logging.ILogger? log = null)
    {
        var options = RunStore.ReadOptions(dir);
        if (totalSteps is long t)
        {
            var hp = (System.Text.Json.Nodes.JsonObject)options.Hyperparameters.DeepClone();
            hp["total_timesteps"] = t;
            options = options with { Hyperparameters = hp };
        }
        using var probe = EnvRegistry.Default.Make(options.EnvId, new EnvOptions(options.EnvOptions));
        var (agent, total) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, CPU);
        using var _ = agent;
        using var run = TrainingRun.Resume(dir, options, agent, total, EnvRegistry.Default, log ?? NullLogger.Instance, observer);
        return run.Train();
    }

    /// <summary>Requests a stop once the run passes a step — what Ctrl-C does.</summary>
    public sealed class StopAt(long step) : ITrainingObserver
    {
        public TrainingRun? Run { get; set; }

        public void Progress(TrainingStatus status)
        {
            if (status.Step >= step) Run?.RequestStop();
        }

        public void Stepped(TrainingRun run)
        {
            if (run.Step >= step) run.RequestStop();
        }

        public void Message(string text)
        {
        }
    }
}
