using System.CommandLine;
using System.Diagnostics;
using DeepRL.Agents.Export;
using DeepRL.Environments;
using DeepRL.Inference;
using Spectre.Console;

namespace DeepRL.Cli.Commands;

/// <summary>
/// <c>deeprl bench-inference</c>: a trained run's greedy policy through TorchSharp (the agent) and through ONNX Runtime
/// (its export), in one sitting: single-observation latency and batch throughput, medians of interleaved repeats.
/// </summary>
public static class BenchInferenceCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "Run folder of a trained agent (runs/…)", Required = true };
        var batch = new Option<int>("--batch") { Description = "Observations per call in the throughput measurement", DefaultValueFactory = _ => 256 };
        var seconds = new Option<double>("--seconds") { Description = "Duration of one timed repeat", DefaultValueFactory = _ => 1.0 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats (the median is reported)", DefaultValueFactory = _ => 5 };
        var cmd = new Command("bench-inference", "Measure a trained policy's forward pass: TorchSharp vs its ONNX export in ONNX Runtime")
        {
            run, batch, seconds, repeats,
        };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            int n = parse.GetValue(batch), reps = parse.GetValue(repeats);
            double secs = parse.GetValue(seconds);
            if (n <= 0 || reps <= 0 || secs <= 0) throw new CliException("--batch, --repeats and --seconds must be positive.");
            var loaded = EvalCommand.LoadRun(ctx, parse.GetValue(run)!, null, "cpu");
            using var _ = loaded.Agent;
            string file = Path.Combine(Path.GetTempPath(), $"deeprl-bench-{Guid.NewGuid():N}.onnx");
            try
            {
                PolicyExport.Export(loaded.Agent, new ExportSource(loaded.Options.EnvId, loaded.Options.EnvOptions, loaded.Options.Algo, loaded.Step, false), file);
                using var onnx = OnnxPolicy.Load(file);
                var observations = Observations(ctx, loaded.Options, n);
                int size = loaded.Agent.ObservationSpace.FlatSize;
                var torch = loaded.Agent.GreedyPolicy();
                var onnxPolicy = new OnnxBatchPolicy(onnx);
                var actions = new int[n];
                var continuous = new float[n * loaded.Agent.ActionSpace.FlatSize];
                bool discrete = loaded.Agent.ActionSpace is Environments.Spaces.Discrete;
                Action<Agents.Training.IBatchPolicy, int> act = (p, count) =>
                {
                    if (discrete) p.Act(observations.AsSpan(0, count * size), count, actions);
                    else p.ActContinuous(observations.AsSpan(0, count * size), count, continuous);
                };
                // Single observations: microseconds per call. Batches: observations per second.
                var medians = Interleaved(reps,
                    () => PerCall(secs, () => act(torch, 1)) * 1e6,
                    () => PerCall(secs, () => act(onnxPolicy, 1)) * 1e6,
                    () => n / PerCall(secs, () => act(torch, n)),
                    () => n / PerCall(secs, () => act(onnxPolicy, n)));
                var table = new Table().Border(TableBorder.Rounded);
                table.AddColumns("", "TorchSharp", "ONNX Runtime", "ONNX ÷ TorchSharp");
                table.AddRow("latency, 1 observation (µs, lower is better)", $"{medians[0]:F1}", $"{medians[1]:F1}", $"{medians[1] / medians[0]:F2}");
                table.AddRow($"throughput, batch {n} (obs/s)", $"{medians[2]:N0}", $"{medians[3]:N0}", $"{medians[3] / medians[2]:F2}");
                ctx.Console.Write(table);
                ctx.Output.WriteLine($"{loaded.Options.Algo} {onnx.PolicyKind} on {loaded.Options.EnvId}; greedy actions incl. host copies; median of {reps} interleaved " +
                                     $"repeats of {secs:g3} s after a warm-up; {Environment.ProcessorCount} cores; ONNX file {new FileInfo(file).Length / 1024.0:F0} KiB");
            }
            finally
            {
                File.Delete(file);
            }
            return 0;
        });
        return cmd;
    }

    private static float[] Observations(CliContext ctx, Agents.Training.RunOptions options, int count)
    {
        using var env = ctx.Registry.Make(options.EnvId, new EnvOptions(options.EnvOptions));
        int size = env.ObservationSpace.FlatSize;
        var all = new float[count * size];
        var rng = new Rng(1);
        var obs = env.Reset(1).Observation;
        var mask = ActionMask.Of(env);
        for (int i = 0; i < count; i++)
        {
            obs.AsSpan().CopyTo(all.AsSpan(i * size, size));
            if (mask is not null) throw new CliException($"bench-inference measures unmasked policies; {options.EnvId} masks its actions.");
            EnvAction action = env.ActionSpace is Environments.Spaces.Discrete d ? rng.NextInt(d.N) : new float[env.ActionSpace.FlatSize];
            var r = env.Step(action);
            obs = r.Done ? env.Reset().Observation : r.Observation;
        }
        return all;
    }

    /// <summary>Seconds per call of <paramref name="call"/>, over about <paramref name="seconds"/>.</summary>
    internal static double PerCall(double seconds, Action call)
    {
        long calls = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (int k = 0; k < 16; k++) call();
            calls += 16;
        }
        return sw.Elapsed.TotalSeconds / calls;
    }

    internal static double[] Interleaved(int repeats, params Func<double>[] measurements)
    {
        foreach (var m in measurements) m();
        var values = measurements.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repeats; r++)
            for (int i = 0; i < measurements.Length; i++) values[i].Add(measurements[i]());
        return values.Select(v => v.Order().ElementAt(v.Count / 2)).ToArray();
    }
}
