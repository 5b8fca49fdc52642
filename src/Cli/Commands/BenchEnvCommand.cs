using System.CommandLine;
using System.Diagnostics;
using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Environments.Vector;
using Spectre.Console;

namespace DeepRL.Cli.Commands;

/// <summary>
/// <c>deeprl bench-env</c>: raw environment speed (random actions, auto-reset), single env and vectorized,
/// median of several timed repeats after a warm-up.
/// </summary>
public static class BenchEnvCommand
{
    public static Command Create()
    {
        var ids = new Option<string[]>("--env", "-e") { Description = "Environment ids to measure (default: all discrete built-ins)", DefaultValueFactory = _ => [] };
        var seconds = new Option<double>("--seconds") { Description = "Duration of one timed repeat", DefaultValueFactory = _ => 1.0 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats (the median is reported)", DefaultValueFactory = _ => 5 };
        var numEnvs = new Option<int>("--num-envs") { Description = "Envs in the vectorized measurement", DefaultValueFactory = _ => 256 };
        var threads = new Option<int>("--threads") { Description = "Threads for the threaded vector env (0 = all cores)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("bench-env", "Measure environment steps per second: single env, sync vector env, threaded vector env")
        {
            ids, seconds, repeats, numEnvs, threads,
        };
        cmd.SetAction(parse =>
        {
            var ctx = DeepRlCli.Context(parse);
            double secs = parse.GetValue(seconds);
            int reps = parse.GetValue(repeats), n = parse.GetValue(numEnvs), th = parse.GetValue(threads);
            if (secs <= 0 || reps <= 0 || n <= 0) throw new CliException("--seconds, --repeats and --num-envs must be positive.");
            var selected = parse.GetValue(ids)!;
            var envIds = selected.Length > 0 ? selected : ctx.Registry.Specs.Where(s => !s.Id.Contains("Masked", StringComparison.Ordinal) && IsMeasurable(s)).Select(s => s.Id).ToArray();
            foreach (var id in envIds)
            {
                if (!IsMeasurable(ctx.Registry.GetSpec(id)))
                    throw new CliException($"bench-env steps random discrete actions without reading action masks; {id} has continuous or masked actions. " +
                                           "Measure a discrete-action env without masks.");
            }

            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumns("env", "single (steps/s)", $"sync ×{n} (env-steps/s)", $"threaded ×{n} (env-steps/s)");
            table.AddColumn($"sync ÷ single");
            foreach (var id in envIds)
            {
                var medians = InterleavedMedians(reps,
                    () => SingleEnv(ctx.Registry, id, secs),
                    () => Vectorized(ctx.Registry, id, n, VectorMode.Sync, th, secs),
                    () => Vectorized(ctx.Registry, id, n, VectorMode.Threaded, th, secs));
                table.AddRow(id, Format(medians[0]), Format(medians[1]), Format(medians[2]), $"{medians[1] / medians[0]:F2}");
            }
            ctx.Console.Write(table);
            ctx.Output.WriteLine($"median of {reps} interleaved repeats of {secs:g3} s each after one warm-up; {Environment.ProcessorCount} cores; random actions; auto-reset included");
            return 0;
        });
        return cmd;
    }

    private static bool IsMeasurable(EnvSpec spec)
    {
        using var env = spec.Factory(EnvOptions.None);
        return env.ActionSpace is Discrete && ActionMask.Of(env) is null;
    }

    private static string Format(double stepsPerSecond) =>
        stepsPerSecond >= 1e6 ? $"{stepsPerSecond / 1e6:F2} M" : $"{stepsPerSecond / 1e3:F1} k";

    /// <summary>
    /// One warm-up of each (JIT tiering, caches), then the measurements take turns repeat by repeat: on a shared machine
    /// a slow minute then slows all of them alike, and their ratio stays meaningful.
    /// </summary>
    private static double[] InterleavedMedians(int repeats, params Func<double>[] measurements)
    {
        foreach (var measure in measurements) measure();
        var values = measurements.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repeats; r++)
            for (int m = 0; m < measurements.Length; m++) values[m].Add(measurements[m]());
        return values.Select(Median).ToArray();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double SingleEnv(EnvRegistry registry, string id, double seconds)
    {
        using var env = registry.Make(id);
        var actions = RandomActions(env.ActionSpace, 4096);
        env.Reset(0);
        long steps = 0;
        var sw = Stopwatch.StartNew();
        long budget = (long)(seconds * Stopwatch.Frequency);
        while (true)
        {
            for (int k = 0; k < 4096; k++)
            {
                if (env.Step(actions[k]).Done) env.Reset();
            }
            steps += 4096;
            if (sw.ElapsedTicks >= budget) break;
        }
        return steps / sw.Elapsed.TotalSeconds;
    }

    public static double Vectorized(EnvRegistry registry, string id, int numEnvs, VectorMode mode, int threads, double seconds)
    {
        using var venv = VectorEnvs.Make(id, numEnvs, mode, threads, registry: registry);
        int na = venv.SingleActionSpace is Discrete d ? d.N : throw new CliException($"bench-env supports discrete-action envs; {id} is continuous.");
        var rng = new Rng(1);
        var actions = new int[64][];
        for (int k = 0; k < actions.Length; k++)
        {
            actions[k] = new int[numEnvs];
            for (int i = 0; i < numEnvs; i++) actions[k][i] = rng.NextInt(na);
        }
        venv.Reset(0);
        long steps = 0;
        var sw = Stopwatch.StartNew();
        long budget = (long)(seconds * Stopwatch.Frequency);
        while (sw.ElapsedTicks < budget)
        {
            for (int k = 0; k < actions.Length; k++) venv.Step(actions[k]);
            steps += (long)actions.Length * numEnvs;
        }
        return steps / sw.Elapsed.TotalSeconds;
    }

    private static EnvAction[] RandomActions(Space space, int count)
    {
        var rng = new Rng(1);
        var actions = new EnvAction[count];
        for (int k = 0; k < count; k++)
        {
            if (space is Discrete d) actions[k] = d.Sample(rng);
            else
            {
                var a = new float[((Box)space).FlatSize];
                ((Box)space).Sample(rng, a);
                actions[k] = a;
            }
        }
        return actions;
    }
}
