using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DeepRL.Agents;
using DeepRL.Agents.Config;
using DeepRL.Agents.Impala;
using DeepRL.Agents.Torch;
using DeepRL.Cluster.Protocol;
using DeepRL.Environments;
using DeepRL.Environments.Vector;
using Spectre.Console;
using static TorchSharp.torch;

namespace DeepRL.Cli.Commands;

/// <summary>
/// <c>deeprl bench-impala</c>: how far IMPALA scales on this machine. The learner trains on prepared unrolls (as if its
/// actors were infinitely fast) — its maximum ingest rate; one actor on one thread collects unrolls — its rate; and the
/// bytes an unroll and a weights version take on the cluster's wire. From those: how many actors, and how many actor
/// machines of this size, one learner keeps busy. Medians of interleaved repeats.
/// </summary>
public static class BenchImpalaCommand
{
    public static Command Create()
    {
        var env = new Option<string>("--env") { Description = "Environment id", DefaultValueFactory = _ => "MinAtar/Breakout-v1" };
        var set = new Option<string[]>("--set") { Description = "IMPALA hyperparameter override key=value (repeatable)", DefaultValueFactory = _ => [] };
        var seconds = new Option<double>("--seconds") { Description = "Duration of one timed repeat", DefaultValueFactory = _ => 3.0 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats (the median is reported)", DefaultValueFactory = _ => 5 };
        var cmd = new Command("bench-impala", "Measure IMPALA's learner ingest rate, one actor's rate and the bytes on the cluster's wire")
        {
            env, set, seconds, repeats,
        };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            string envId = parse.GetValue(env)!;
            ctx.Registry.GetSpec(envId);
            int reps = parse.GetValue(repeats);
            double secs = parse.GetValue(seconds);
            if (reps <= 0 || secs <= 0) throw new CliException("--repeats and --seconds must be positive.");
            var hyper = AgentCatalog.ResolveHyperparameters("impala", envId, null, parse.GetValue(set)!);
            var config = hyper.Deserialize<ImpalaConfig>(HyperparameterResolver.Json)!;
            TorchSharp.torch.set_num_threads(config.TorchThreads);
            using var gate = GcGate.Enter();
            using var probe = ctx.Registry.Make(envId);
            using var learner = new ImpalaLearner(config, probe.ObservationSpace, probe.ActionSpace, CPU);
            using var envs = VectorEnvs.Make(envId, config.EnvsPerActor, VectorMode.Sync, registry: ctx.Registry);
            learner.Masked = envs.ActionMasks is not null;
            envs.Reset(1);
            using var actor = new ImpalaActor(0, config, probe.ObservationSpace, probe.ActionSpace, envs, seed: 1);
            var weights = learner.Publish();
            actor.Load(weights);

            // Prepared unrolls: two batches' worth, cycled (the learner's work does not depend on which ones).
            var pool = Enumerable.Range(0, 2 * config.BatchSize).Select(_ => actor.Collect(CancellationToken.None)!).ToArray();
            int stepsPerBatch = config.BatchSize * config.EnvsPerActor * config.UnrollLength;
            int next = 0;
            double LearnerRate()
            {
                var sw = Stopwatch.StartNew();
                long steps = 0;
                while (sw.Elapsed.TotalSeconds < secs)
                {
                    var batch = Enumerable.Range(0, config.BatchSize).Select(_ => pool[next++ % pool.Length]).ToArray();
                    learner.Train(batch, config.LearningRate, run: null);
                    steps += stepsPerBatch;
                    GcGate.SafePoint();
                }
                return steps / sw.Elapsed.TotalSeconds;
            }
            double ActorRate()
            {
                var sw = Stopwatch.StartNew();
                long steps = 0;
                while (sw.Elapsed.TotalSeconds < secs)
                {
                    steps += actor.Collect(CancellationToken.None)!.EnvSteps;
                    GcGate.SafePoint();
                }
                return steps / sw.Elapsed.TotalSeconds;
            }
            var medians = BenchInferenceCommand.Interleaved(reps, LearnerRate, ActorRate);
            double learnerRate = medians[0], actorRate = medians[1];

            var sample = actor.Collect(CancellationToken.None)!;
            double bytesPerStep = MessagePackAkkaSerializer.SizeOf(new ActorUnroll("impala-0123456789abcdef", 1, sample)) / (double)sample.EnvSteps;
            var chunks = WeightsChunk.Split("impala-0123456789abcdef", weights).ToList();
            long weightBytes = chunks.Sum(c => (long)MessagePackAkkaSerializer.SizeOf(c));
            int values = weights.Values.Length;
            double updatesPerSecond = learnerRate / stepsPerBatch;
            int cores = Environment.ProcessorCount;

            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumns("", "value");
            table.AddRow("learner ingest, prepared unrolls (env steps/s)", $"{learnerRate:N0}");
            table.AddRow("learner updates/s", $"{updatesPerSecond:F1}");
            table.AddRow("one actor, one thread (env steps/s)", $"{actorRate:N0}");
            table.AddRow("actors one learner keeps busy", $"{learnerRate / actorRate:F1}");
            table.AddRow($"actor machines of {cores} cores it keeps busy", $"{learnerRate / (actorRate * cores):F1}");
            table.AddRow("unroll on the wire (bytes per env step, LZ4)", $"{bytesPerStep:F1}");
            table.AddRow("unrolls into the learner at full ingest (MB/s)", $"{learnerRate * bytesPerStep / 1e6:F2}");
            table.AddRow($"one weights version ({values:N0} float32, {chunks.Count} chunk(s))", $"{weightBytes:N0} bytes");
            table.AddRow("weights to one node if it took every version (MB/s)", $"{updatesPerSecond * weightBytes / 1e6:F2}");
            ctx.Console.Write(table);
            ctx.Output.WriteLine($"IMPALA on {envId}: {config.BatchSize} unrolls × {config.EnvsPerActor} envs × {config.UnrollLength} steps per update, " +
                                 $"{config.TorchThreads} torch thread(s); median of {reps} interleaved repeats of {secs:g3} s after a warm-up; {cores} cores.");
            return 0;
        });
        return cmd;
    }
}
