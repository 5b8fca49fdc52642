using System.CommandLine;
using DeepRL.Agents;
using DeepRL.Agents.Torch;
using DeepRL.Agents.Training;
using DeepRL.Environments;
using Microsoft.Extensions.Logging;

namespace DeepRL.Cli.Commands;

/// <summary><c>deeprl train</c>: trains an agent into a new run folder, or resumes one.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var env = CommonOptions.Env(required: false);
        var envOptions = CommonOptions.EnvOptions();
        var algo = new Option<string>("--algo", "-a") { Description = $"Algorithm: {string.Join(", ", AgentCatalog.Algorithms)}", DefaultValueFactory = _ => "dqn" };
        var policy = new Option<string?>("--policy") { Description = "Network: mlp, cnn or lstm (PPO) (default: chosen from the observation shape)" };
        var config = new Option<string?>("--config") { Description = "JSON file of hyperparameters (snake_case keys) layered over the per-env defaults" };
        var set = new Option<string[]>("--set") { Description = "Override one hyperparameter key=value (repeatable), e.g. --set learning_rate=0.001", DefaultValueFactory = _ => [] };
        var seed = CommonOptions.Seed();
        var steps = new Option<long?>("--steps") { Description = "Total environment steps (overrides total_timesteps)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var output = new Option<string>("--out") { Description = "Folder for run directories", DefaultValueFactory = _ => "runs" };
        var evalEvery = new Option<long>("--eval-every") { Description = "Env steps between deterministic evaluations (0 = only at the end)", DefaultValueFactory = _ => 10_000 };
        var evalEpisodes = new Option<int>("--eval-episodes") { Description = "Episodes per evaluation", DefaultValueFactory = _ => 10 };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Env steps between 'latest' checkpoints", DefaultValueFactory = _ => 25_000 };
        var saveReplay = new Option<bool>("--save-replay") { Description = "Store the replay buffer in checkpoints for exact resume" };
        var stopWhenSolved = new Option<bool>("--stop-when-solved") { Description = "Stop once an evaluation reaches the env's reward threshold" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its latest checkpoint" };
        var noProgress = new Option<bool>("--no-progress") { Description = "Log lines instead of a live progress bar" };
        var videoEvery = new Option<int>("--video-every") { Description = "Record a video of the greedy policy every K training episodes into runs/X/videos/ (0 = off)", DefaultValueFactory = _ => 0 };

        var cmd = new Command("train", "Train an agent; writes runs/<env>__<algo>__<seed>__<time>/ with config, metrics, TensorBoard events, checkpoints and a summary")
        {
            env, envOptions, algo, policy, config, set, seed, steps, device, output, evalEvery, evalEpisodes, checkpointEvery,
            saveReplay, stopWhenSolved, resume, noProgress, videoEvery,
        };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            var log = ctx.Logger("train");
            string? resumePath = parse.GetValue(resume);
            RunOptions options;
            RunDirectory? resumeDir = null;
            if (resumePath is not null)
            {
                resumeDir = RunDirectory.Open(resumePath);
                options = TrainingRun.ReadOptions(resumeDir);
                if (parse.GetValue(steps) is long more)
                {
                    if (more <= 0) throw new CliException($"--steps must be positive, got {more}.");
                    options = options with { Hyperparameters = WithSteps(options, more) };
                }
            }
            else
            {
                string id = parse.GetValue(env) ?? throw new CliException("train needs --env ID (or --resume runs/X).");
                string algoName = parse.GetValue(algo)!.ToLowerInvariant();
                AgentCatalog.CheckKnown(algoName);
                ctx.Registry.GetSpec(id);
                var overrides = parse.GetValue(set)!.ToList();
                if (parse.GetValue(policy) is string p) overrides.Add($"policy={p.ToLowerInvariant()}");
                if (parse.GetValue(steps) is long s)
                {
                    if (s <= 0) throw new CliException($"--steps must be positive, got {s}.");
                    overrides.Add($"total_timesteps={s}");
                }
                int evalEpisodesValue = parse.GetValue(evalEpisodes);
                if (evalEpisodesValue <= 0) throw new CliException($"--eval-episodes must be at least 1, got {evalEpisodesValue}.");
                if (parse.GetValue(evalEvery) < 0 || parse.GetValue(checkpointEvery) < 0)
                    throw new CliException("--eval-every and --checkpoint-every must be ≥ 0.");
                var envOpts = Environments.EnvOptions.Parse(parse.GetValue(envOptions)!);
                ctx.Registry.Make(id, envOpts).Dispose(); // validates env options before creating a run folder
                options = new RunOptions
                {
                    EnvId = id,
                    Algo = algoName,
                    EnvOptions = envOpts.Values.ToDictionary(kv => kv.Key, kv => kv.Value),
                    Seed = parse.GetValue(seed) ?? 1,
                    Device = parse.GetValue(device)!,
                    EvalEvery = parse.GetValue(evalEvery),
                    EvalEpisodes = evalEpisodesValue,
                    CheckpointEvery = parse.GetValue(checkpointEvery),
                    SaveReplay = parse.GetValue(saveReplay),
                    StopWhenSolved = parse.GetValue(stopWhenSolved),
                    Hyperparameters = AgentCatalog.ResolveHyperparameters(algoName, id, parse.GetValue(config), overrides),
                };
            }

            var torchDevice = DeviceResolver.Resolve(options.Device);
            using var probe = ctx.Registry.Make(options.EnvId, new Environments.EnvOptions(options.EnvOptions));
            var (agent, totalSteps) = AgentCatalog.Create(options, probe.ObservationSpace, probe.ActionSpace, torchDevice);
            using var _ = agent;
            bool interactive = !parse.GetValue(noProgress) && ctx.Console.Profile.Capabilities.Interactive;
            // A live progress bar owns the terminal: only warnings go to the log, the bar shows the rest.
            if (interactive) log = ctx.QuietLogger("train");
            if (parse.GetValue(videoEvery) < 0) throw new CliException("--video-every must be ≥ 0.");
            var videos = parse.GetValue(videoEvery) > 0 ? new TrainingVideoRecorder(ctx, log, parse.GetValue(videoEvery)) : null;
            var observer = new ConsoleTrainingObserver(ctx, log, interactive, videos);
            using var run = resumeDir is null
                ? TrainingRun.Create(options, agent, totalSteps, parse.GetValue(output)!, ctx.Registry, log, observer)
                : TrainingRun.Resume(resumeDir, options, agent, totalSteps, ctx.Registry, log, observer);

            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (run.Interrupted) return; // second Ctrl-C: let the process end
                e.Cancel = true;
                run.RequestStop();
                log.LogWarning("Stopping: saving a resumable checkpoint (press Ctrl-C again to abort)");
            };
            Console.CancelKeyPress += onCancel;
            RunSummary summary;
            try
            {
                summary = observer.Run(run.Train);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            PrintSummary(ctx, run, summary);
            return summary.Status == "interrupted" ? 130 : 0;
        });
        return cmd;
    }

    private static System.Text.Json.Nodes.JsonObject WithSteps(RunOptions options, long steps)
    {
        var copy = (System.Text.Json.Nodes.JsonObject)options.Hyperparameters.DeepClone();
        copy["total_timesteps"] = steps;
        return copy;
    }

    private static void PrintSummary(CliContext ctx, TrainingRun run, RunSummary s)
    {
        var o = ctx.Output;
        o.WriteLine($"run: {run.Directory.Path}");
        o.WriteLine($"status: {s.Status} after {s.Steps} steps, {s.Episodes} episodes, {s.WallTimeSeconds:F1} s ({s.TrainFps:F0} steps/s)");
        if (s.FinalEval is { } f) o.WriteLine($"final eval: mean return {f.MeanReturn:F2} ± {f.StdReturn:F2} over {f.Episodes} episodes");
        if (s.BestEval is { } b) o.WriteLine($"best eval: {b.MeanReturn:F2} ± {b.StdReturn:F2} at step {b.Step}");
        if (s.SolvedAt is { } solved) o.WriteLine($"solved: reached {s.RewardThreshold} at step {solved.Step} after {solved.WallTimeSeconds:F1} s");
        if (s.Resume is not null) o.WriteLine($"resume with: {s.Resume}");
    }
}
