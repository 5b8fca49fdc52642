using System.Globalization;
using DeepRL.Agents.Benchmarking;
using DeepRL.Agents.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace DeepRL.Cli.Benchmark;

/// <summary>
/// The live table of a running benchmark: every cell queued / running (with its step and latest evaluation, read
/// from its run folder) / done / failed, and the elapsed time with an ETA from the steps done so far.
/// </summary>
public sealed class BenchmarkLiveView(string folder, BenchmarkSpec spec, IGridExecutor runner, bool showNodes = false)
{
    private readonly Dictionary<BenchmarkCell, long> _totals = [];

    public IRenderable Table(TimeSpan elapsed)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("env", "algo", "seed", "state", "progress", "eval return");
        if (showNodes) table.AddColumn("node");
        var running = runner.Running.ToHashSet();
        long done = 0, total = 0;
        foreach (var cell in spec.Cells())
        {
            var result = BenchmarkResults.Read(folder, cell);
            long cellTotal = Total(cell);
            long step = result.Finished ? cellTotal : Math.Max(result.Steps, LastStep(cell));
            done += Math.Min(step, cellTotal);
            total += cellTotal;
            string state = running.Contains(cell) ? "[blue]running[/]"
                : result.Finished ? $"[green]{result.Status}[/]"
                : result.Status == "pending" ? "[grey]queued[/]"
                : $"[red]{Markup.Escape(result.Status)}[/]";
            string progress = cellTotal > 0 ? $"{Numbers.Steps(step)}/{Numbers.Steps(cellTotal)}" : Numbers.Steps(step);
            string eval = result.Curve.Count > 0 ? result.Curve[^1].Return.ToString("0.##", CultureInfo.InvariantCulture) : "—";
            string[] row = [Markup.Escape(cell.Env), cell.Algo, cell.Seed.ToString(CultureInfo.InvariantCulture), state, progress, eval];
            table.AddRow(showNodes ? [.. row, Markup.Escape(runner.NodeOf(cell) ?? result.Node ?? "")] : row);
        }
        double fraction = total > 0 ? (double)done / total : 0;
        string eta = fraction > 0.01 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction).ToString(@"hh\:mm\:ss") : "—";
        table.Caption($"elapsed {elapsed:hh\\:mm\\:ss} · {(fraction * 100).ToString("0", CultureInfo.InvariantCulture)}% of the steps · ETA {eta} · {runner.Describe()}");
        return table;
    }

    /// <summary>A cell's step budget from its config.json (known once it started), else the benchmark's --steps.</summary>
    private long Total(BenchmarkCell cell)
    {
        if (_totals.TryGetValue(cell, out long known)) return known;
        string config = Path.Combine(BenchmarkResults.RunsFolder(folder), cell.Name, "config.json");
        if (!File.Exists(config)) return spec.Steps ?? 0;
        try
        {
            long steps = RunStore.ReadOptions(RunDirectory.Open(Path.GetDirectoryName(config)!)).Hyperparameters["total_timesteps"]!.GetValue<long>();
            return _totals[cell] = steps;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or InvalidOperationException)
        {
            return spec.Steps ?? 0; // being written right now: read it at the next refresh
        }
    }

    /// <summary>The step of a running cell's last finished episode (metrics.csv's last complete line).</summary>
    private long LastStep(BenchmarkCell cell)
    {
        string metrics = Path.Combine(BenchmarkResults.RunsFolder(folder), cell.Name, "metrics.csv");
        if (!File.Exists(metrics)) return 0;
        using var stream = new FileStream(metrics, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Max(0, stream.Length - 4096), SeekOrigin.Begin);
        var lines = new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = lines.Length - 1; i >= 0; i--)
        {
            if (long.TryParse(lines[i].Split(',')[0], CultureInfo.InvariantCulture, out long step)) return step;
        }
        return 0;
    }
}
