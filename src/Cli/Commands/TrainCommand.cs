using System.CommandLine;
using System.Runtime.InteropServices;
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
        var policy = new Option<string?>("--policy") { Description = "Network: mlp, cnn, lstm or transformer (lstm and transformer: PPO, A2C, A3C) (default: chosen from the observation shape)" };
        var config = new Option<string?>("--config") { Description = "JSON file of hyperparameters (snake_case keys) layered over the per-env defaults" };
        var set = new Option<string[]>("--set") { Description = "Override one hyperparameter key=value (repeatable), e.g. --set learning_rate=0.001", DefaultValueFactory = _ => [] };
        var workers = new Option<int?>("--workers") { Description = "A3C actor-learner threads (default: one per core)" };
        var actors = new Option<int?>("--actors") { Description = "IMPALA actor threads beside the learner (default 2; 0 with --cluster = actors on nodes only)" };
        var cluster = new Option<string[]>("--cluster") { Description = "IMPALA: HOST:PORT of a `deeprl node` (repeatable): also run actors on the cluster's nodes", DefaultValueFactory = _ => [] };
        var actorsPerNode = new Option<int?>("--actors-per-node") { Description = "IMPALA with --cluster: actors each node runs (default 2)" };
        var clusterCli = new ClusterCliOptions();
        var seed = CommonOptions.Seed();
        var steps = CommonOptions.Steps("--steps", "Total environment steps (overrides total_timesteps)");
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var output = new Option<string>("--out") { Description = "Folder for run directories", DefaultValueFactory = _ => "runs" };
        var name = new Option<string?>("--name") { Description = "Run folder name under --out (default ENV__ALGO__SEED__TIME); must not exist yet" };
        var evalEvery = CommonOptions.Steps("--eval-every", "Env steps between deterministic evaluations (0 = only at the end; default 10000)");
        var evalEpisodes = new Option<int>("--eval-episodes") { Description = $"Episodes per evaluation (default {RunOptions.DefaultEvalEpisodes}: a 95% CI of about ±0.37 std)", DefaultValueFactory = _ => RunOptions.DefaultEvalEpisodes };
        var finalEvalEpisodes = new Option<int>("--final-eval-episodes") { Description = "Episodes of the final report on fresh seeds, latest vs best (0 = skip)", DefaultValueFactory = _ => RunOptions.DefaultFinalEvalEpisodes };
        var checkpointEvery = CommonOptions.Steps("--checkpoint-every", "Env steps between 'latest' checkpoints (default 25000)");
        var saveReplay = new Option<bool>("--save-replay") { Description = "Store the replay buffer in checkpoints for exact resume" };
        var onNan = new Option<string>("--on-nan") { Description = "A NaN/∞ loss or gradient: stop (keep the last checkpoint) or skip that update with a warning", DefaultValueFactory = _ => "stop" };
        onNan.AcceptOnlyFromAmong("stop", "skip");
        var stopWhenSolved = new Option<bool>("--stop-when-solved") { Description = "Stop once an evaluation reaches the env's reward threshold" };
        // Set by the benchmark and cluster launchers for their child runs, not meant for users.
        var stopWithParent = new Option<bool>("--stop-with-parent") { Hidden = true, Description = "Stop (with a checkpoint) when the parent process dies" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its latest checkpoint" };
        var noProgress = new Option<bool>("--no-progress") { Description = "Log lines instead of a live progress bar" };
        var initFrom = new Option<string?>("--init-from") { Description = "Transfer learning: start from this run's network weights, RUN or RUN:best|latest (default: the checkpoint it recommends)" };
        var initLayers = new Option<string>("--init-layers") { Description = "With --init-from: all (same architecture) or torso (the feature extractor only; heads start fresh)", DefaultValueFactory = _ => "all" };
        initLayers.AcceptOnlyFromAmong("all", "torso");
        var freeze = new Option<string>("--freeze") { Description = "With --init-from: none, or torso to keep the transferred feature extractor fixed", DefaultValueFactory = _ => "none" };
        freeze.AcceptOnlyFromAmong("none", "torso");
        var videoEvery = new Option<int>("--video-every") { Description = "Record a video of the greedy policy every K training episodes into runs/X/videos/ (0 = off)", DefaultValueFactory = _ => 0 };

        var cmd = new Command("train", "Train an agent; writes runs/<env>__<algo>__<seed>__<time>/ with config, metrics, TensorBoard events, checkpoints and a summary")
        {
            env, envOptions, algo, policy, workers, actors, config, set, seed, steps, device, output, name, onNan, evalEvery, evalEpisodes, finalEvalEpisodes, checkpointEvery,
            saveReplay, stopWhenSolved, resume, noProgress, videoEvery, initFrom, initLayers, freeze, stopWithParent, cluster, actorsPerNode,
        };
        clusterCli.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            var log = ctx.Logger("train");
            string? resumePath = parse.GetValue(resume);
            RunOptions options;
            RunDirectory? resumeDir = null;
            if (resumePath is not null)
            {
                // A run's settings are fixed by its config.json; only what cannot change its results may be given.
                Option[] fixedForRun = [env, envOptions, algo, policy, workers, actors, actorsPerNode, config, set, seed, name, onNan, evalEvery, evalEpisodes,
                    finalEvalEpisodes, checkpointEvery, saveReplay, stopWhenSolved, initFrom, initLayers, freeze];
                var given = fixedForRun.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (given.Count > 0)
                    throw new CliException($"--resume continues a run with the settings in its config.json, so {string.Join(", ", given)} " +
                                           "cannot be changed; only --steps (to train longer), --device, --no-progress and --video-every can. " +
                                           "Start a new run (without --resume) to change them.");
                resumeDir = RunDirectory.Open(resumePath);
                options = RunStore.ReadOptions(resumeDir);
                DeepRlCli.LoadRunAssemblies(ctx, options, resumeDir.Path);
                long? moreSteps = parse.GetValue(steps);
                if (moreSteps is long more && more <= 0) throw new CliException($"--steps must be positive, got {more}.");
                if (RunStore.FinishedSummary(resumeDir) is { } done && (moreSteps is null || moreSteps <= done.Steps))
                {
                    ctx.Output.WriteLine($"Run {resumeDir.Path} already finished ({done.Status} at step {done.Steps}); nothing to resume.");
                    ctx.Output.WriteLine($"To train it further, give a larger total: deeprl train --resume {resumeDir.Path} --steps {Math.Max(done.Steps * 2, done.Steps + 1)}");
                    return 0;
                }
            }
            else
            {
                string id = parse.GetValue(env) ?? throw new CliException("train needs --env ID (or --resume runs/X).");
                if (parse.GetValue(name) is string runName && Directory.Exists(Path.Combine(parse.GetValue(output)!, runName)))
                    throw new CliException($"Run folder '{Path.Combine(parse.GetValue(output)!, runName)}' already exists: choose another --name, or continue it with --resume {Path.Combine(parse.GetValue(output)!, runName)}.");
                string algoName = parse.GetValue(algo)!.ToLowerInvariant();
                AgentCatalog.CheckKnown(algoName);
                ctx.Registry.GetSpec(id);
                var overrides = parse.GetValue(set)!.ToList();
                if (parse.GetValue(policy) is string p) overrides.Add($"policy={p.ToLowerInvariant()}");
                if (parse.GetValue(workers) is int w)
                {
                    if (algoName != "a3c") throw new CliException($"--workers applies to --algo a3c only (A2C and PPO use num_envs: --set num_envs={w}).");
                    if (w < 1) throw new CliException($"--workers must be at least 1, got {w}.");
                    overrides.Add($"workers={w}");
                }
                if (parse.GetValue(actors) is int a)
                {
                    if (algoName != "impala") throw new CliException($"--actors applies to --algo impala only.");
                    if (a < 0) throw new CliException($"--actors must be at least 0, got {a}.");
                    overrides.Add($"actors={a}");
                }
                if (parse.GetValue(actors) == 0 && parse.GetValue(cluster)!.Length == 0)
                    throw new CliException("--actors 0 leaves IMPALA without actors: give --cluster HOST:PORT (actors on cluster nodes) or --actors N.");
                if (parse.GetValue(actorsPerNode) is int k)
                {
                    if (algoName != "impala" || parse.GetValue(cluster)!.Length == 0) throw new CliException("--actors-per-node applies to --algo impala with --cluster HOST:PORT.");
                    if (k < 1) throw new CliException($"--actors-per-node must be at least 1, got {k}.");
                    overrides.Add($"actors_per_node={k}");
                }
                if (parse.GetValue(steps) is long s)
                {
                    if (s <= 0) throw new CliException($"--steps must be positive, got {s}.");
                    overrides.Add($"total_timesteps={s}");
                }
                int evalEpisodesValue = parse.GetValue(evalEpisodes);
                if (evalEpisodesValue <= 0) throw new CliException($"--eval-episodes must be at least 1, got {evalEpisodesValue}.");
                int finalEpisodesValue = parse.GetValue(finalEvalEpisodes);
                if (finalEpisodesValue < 0) throw new CliException($"--final-eval-episodes must be ≥ 0, got {finalEpisodesValue}.");
                long evalEveryValue = parse.GetValue(evalEvery) ?? 10_000, checkpointEveryValue = parse.GetValue(checkpointEvery) ?? 25_000;
                InitFrom? transfer = null;
                if (parse.GetValue(initFrom) is string source) transfer = InitFrom.Parse(source, parse.GetValue(initLayers), parse.GetValue(freeze));
                else if (parse.GetResult(initLayers) is { Implicit: false } || parse.GetResult(freeze) is { Implicit: false })
                    throw new CliException("--init-layers and --freeze apply to transferred weights: give --init-from RUN too.");
                var envOpts = Environments.EnvOptions.Parse(parse.GetValue(envOptions)!);
                ctx.Registry.Make(id, envOpts).Dispose(); // validates env options before creating a run folder
                options = new RunOptions
                {
                    EnvId = id,
                    Algo = algoName,
                    EnvOptions = envOpts.Values.ToDictionary(kv => kv.Key, kv => kv.Value),
                    Seed = parse.GetValue(seed) ?? 1,
                    Device = parse.GetValue(device)!,
                    EvalEvery = evalEveryValue,
                    EvalEpisodes = evalEpisodesValue,
                    FinalEvalEpisodes = finalEpisodesValue,
                    CheckpointEvery = checkpointEveryValue,
                    SaveReplay = parse.GetValue(saveReplay),
                    StopWhenSolved = parse.GetValue(stopWhenSolved),
                    OnNan = parse.GetValue(onNan)!,
                    Hyperparameters = AgentCatalog.ResolveHyperparameters(algoName, id, parse.GetValue(config), overrides),
                    EnvAssemblies = (parse.GetValue(DeepRlCli.EnvAssembly) ?? []).Select(Path.GetFullPath).ToArray(),
                    InitFrom = transfer,
                };
            }
            string? deviceOverride = parse.GetResult(device) is { Implicit: false } ? parse.GetValue(device) : null;
            if (deviceOverride is not null) options = options with { Device = deviceOverride };

            // The CLI is a client of the library API: the same Agent.Create/Resume + Train a C# program calls.
            using var agent = resumeDir is null
                ? Agent.Create(options, ctx.Registry, log)
                : Agent.Resume(resumeDir.Path, ctx.Registry, parse.GetValue(steps), deviceOverride);
            if (parse.GetValue(cluster)!.Length > 0) UseClusterActors(agent, clusterCli.Read(parse, parse.GetValue(cluster)!), log);
            bool interactive = !parse.GetValue(noProgress) && ctx.Console.Profile.Capabilities.Interactive;
            // A live progress bar owns the terminal: only warnings go to the log, the bar shows the rest.
            if (interactive) log = ctx.QuietLogger("train");
            if (parse.GetValue(videoEvery) < 0) throw new CliException("--video-every must be ≥ 0.");
            var videos = parse.GetValue(videoEvery) > 0 ? new TrainingVideoRecorder(ctx, log, parse.GetValue(videoEvery)) : null;
            var observer = new ConsoleTrainingObserver(ctx.Console, log, interactive, videos);

            // Ctrl-C, SIGTERM (docker stop, schedulers, timeout) and SIGHUP (closed SSH session) all stop at the next
            // step, save latest and write the summary. A second SIGTERM/SIGHUP waits for that save; a second
            // Ctrl-C ends the process at once (checkpoint saves are crash-safe, so nothing complete is lost).
            using var stop = new CancellationTokenSource();
            void Stop(PosixSignalContext signal)
            {
                bool first = !stop.IsCancellationRequested;
                if (signal.Signal == PosixSignal.SIGINT && !first) return; // second Ctrl-C: let the process end
                signal.Cancel = true;
                stop.Cancel();
                if (first) log.LogWarning("{Signal}: stopping, saving a resumable checkpoint", signal.Signal);
                else log.LogWarning("{Signal}: already stopping; waiting for the checkpoint to be saved", signal.Signal);
            }
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
            using var parentWatch = parse.GetValue(stopWithParent) ? new ParentWatch(() =>
            {
                log.LogWarning("The process that started this run has ended: stopping, saving a resumable checkpoint");
                stop.Cancel();
            }) : null;
            var summary = observer.Run(() => agent.Train(parse.GetValue(output)!, parse.GetValue(name), observer, log, stop.Token));
            PrintSummary(ctx, agent.RunFolder!, summary);
            return summary.Status == "interrupted" ? 130 : 0;
        });
        return cmd;
    }

    /// <summary>IMPALA with --cluster: the learner runs here, actors also on the cluster's nodes.</summary>
    private static void UseClusterActors(Agent agent, DeepRL.Cluster.ClusterOptions options, ILogger log)
    {
        if (agent.Implementation is not DeepRL.Agents.Impala.ImpalaAgent impala)
            throw new CliException($"--cluster with deeprl train runs IMPALA actors on cluster nodes; --algo {agent.Options.Algo} trains in one process (use deeprl benchmark --cluster for grids).");
        if (agent.Options.EnvAssemblies.Length > 0)
            throw new CliException("IMPALA actors on cluster nodes run built-in envs only (--env-assembly plugins are not shipped to them yet).");
        var run = new DeepRL.Cluster.Impala.ImpalaClusterRun($"impala-{Guid.NewGuid():N}", agent.Options.EnvId, new(agent.Options.EnvOptions),
            agent.Options.Hyperparameters.ToJsonString(), agent.Options.Seed, impala.Config.ActorsPerNode, impala.Check);
        impala.ExtraActors = new DeepRL.Cluster.Impala.ClusterActorHost(options, run, log);
    }

    private static void PrintSummary(CliContext ctx, string runFolder, RunSummary s)
    {
        var o = ctx.Output;
        o.WriteLine($"run: {runFolder}");
        o.WriteLine($"status: {s.Status} after {s.Steps} steps, {s.Episodes} episodes, {s.WallTimeSeconds:F1} s ({s.TrainFps:F0} steps/s)");
        if (s.FinalEval is { } f) o.WriteLine($"final eval (latest, fresh seeds): {f.Describe()}");
        if (s.BestFinalEval is { } bf) o.WriteLine($"best checkpoint (step {bf.Step}, same fresh seeds): {bf.Describe()}");
        else if (s.BestEval is { } b) o.WriteLine($"best eval: {b.Describe()} at step {b.Step}");
        if (s.Recommended is not null) o.WriteLine($"recommended checkpoint: {s.Recommended} (eval/watch/record load it by default)");
        if (s.SolvedAt is { } solved) o.WriteLine($"solved: reached {s.RewardThreshold} at step {solved.Step} after {solved.WallTimeSeconds:F1} s");
        if (s.Resume is not null) o.WriteLine($"resume with: deeprl train --resume {s.Resume}");
    }
}
