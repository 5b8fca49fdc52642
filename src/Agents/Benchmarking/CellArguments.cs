using System.Globalization;
using DeepRL.Agents.Training;

namespace DeepRL.Agents.Benchmarking;

/// <summary>
/// The <c>deeprl train</c> command line of one benchmark cell, the same wherever it runs (a local child process or a
/// cluster node): resume the cell's run from its checkpoint when it has one, else start it (again) from scratch.
/// </summary>
public static class CellArguments
{
    /// <param name="spec">The benchmark's definition.</param>
    /// <param name="cell">The cell to train.</param>
    /// <param name="runsFolder">Where the cell's run folder is (or will be) on the machine that trains it.</param>
    /// <param name="threadsPerCell">Torch threads (A3C: workers) unless the benchmark's <c>--set</c> fixes them.</param>
    public static IReadOnlyList<string> For(BenchmarkSpec spec, BenchmarkCell cell, string runsFolder, int threadsPerCell)
    {
        string run = Path.Combine(runsFolder, cell.Name);
        if (Directory.Exists(run))
        {
            // The plugins by path here, not the path recorded in the run (another machine's, for a cell moved between nodes).
            if (HasCheckpoint(run)) return ["--resume", run, "--no-progress", .. spec.EnvAssemblies.SelectMany(a => new[] { "--env-assembly", a })];
            Directory.Delete(run, recursive: true); // ended before its first checkpoint: nothing to resume
        }
        var args = new List<string>
        {
            "--env", cell.Env, "--algo", cell.Algo, "--seed", cell.Seed.ToString(CultureInfo.InvariantCulture), "--out", runsFolder, "--name", cell.Name,
            "--no-progress", "--eval-every", spec.EvalEvery.ToString(CultureInfo.InvariantCulture),
            "--eval-episodes", spec.EvalEpisodes.ToString(CultureInfo.InvariantCulture),
            "--checkpoint-every", spec.CheckpointEvery.ToString(CultureInfo.InvariantCulture),
            // Checkpoints then hold DQN's replay buffer too (other algorithms have none), so a cell interrupted and
            // resumed ends exactly like an uninterrupted one: a resumed grid reports the same numbers.
            "--save-replay",
        };
        if (spec.Steps is long steps) args.AddRange(["--steps", steps.ToString(CultureInfo.InvariantCulture)]);
        foreach (var set in spec.Set) args.AddRange(["--set", set]);
        foreach (var assembly in spec.EnvAssemblies) args.AddRange(["--env-assembly", assembly]);
        bool a3c = cell.Algo == "a3c";
        string threadsKey = a3c ? "workers" : "torch_threads";
        if (!spec.Set.Any(s => s.StartsWith(threadsKey + "=", StringComparison.Ordinal)))
        {
            if (a3c) args.AddRange(["--workers", threadsPerCell.ToString(CultureInfo.InvariantCulture)]);
            else args.AddRange(["--set", $"torch_threads={threadsPerCell}"]);
        }
        return args;
    }

    /// <summary>True when the run folder holds a complete latest checkpoint to resume from.</summary>
    public static bool HasCheckpoint(string runFolder) =>
        AtomicFile.ResolveDirectory(Path.Combine(runFolder, "checkpoints", RunStore.LatestCheckpoint)) is not null;
}
