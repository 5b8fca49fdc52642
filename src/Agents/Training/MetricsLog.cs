using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch.utils.tensorboard;

namespace DeepRL.Agents.Training;

/// <summary>
/// A run's metrics: <c>metrics.csv</c> (one row per finished episode, with the latest training
/// scalars), <c>evaluations.csv</c> (one row per evaluation), and a TensorBoard event file. Rows are
/// written whole and flushed at least every second; on resume, rows past the checkpoint are dropped.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    public const string EpisodeHeader = "step,episode,return,length,loss,epsilon,learning_rate,fps,time_s";
    public const string EvalHeader = "step,mean_return,std_return,mean_length,episodes,time_s";

    private readonly StreamWriter _episodes;
    private readonly StreamWriter _evals;
    private readonly SummaryWriter? _tensorboard;
    private readonly Dictionary<string, double> _scalars = new();
    private long _lastFlushTicks;

    /// <summary>Metrics of a run folder, or (with <paramref name="dir"/> null) kept in memory only.</summary>
    public MetricsLog(RunDirectory? dir, bool tensorboard = true)
    {
        if (dir is null)
        {
            _episodes = StreamWriter.Null;
            _evals = StreamWriter.Null;
            return;
        }
        _episodes = Open(dir.MetricsFile, EpisodeHeader);
        _evals = Open(dir.EvaluationsFile, EvalHeader);
        if (tensorboard) _tensorboard = SummaryWriter(dir.TensorBoardDir);
    }

    private static StreamWriter Open(string path, string header)
    {
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        var w = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = false };
        if (fresh) w.WriteLine(header);
        return w;
    }

    /// <summary>
    /// Keeps only rows with step ≤ <paramref name="step"/>, rewriting the files atomically. A last line without its
    /// newline was torn by a kill mid-write (its fields may be cut short) and is dropped too.
    /// </summary>
    public static void TruncateAfter(RunDirectory dir, long step)
    {
        foreach (var (path, header) in new[] { (dir.MetricsFile, EpisodeHeader), (dir.EvaluationsFile, EvalHeader) })
        {
            if (!File.Exists(path)) continue;
            int columns = header.Split(',').Length;
            string text = File.ReadAllText(path);
            var lines = text.Split('\n').ToList();
            lines.RemoveAt(lines.Count - 1); // after the final newline: empty, or a torn row
            var kept = lines.Skip(1)
                .Where(l => l.Split(',').Length == columns && long.TryParse(l.Split(',')[0], out long s) && s <= step)
                .Prepend(header);
            AtomicFile.WriteAllText(path, string.Join('\n', kept) + "\n");
        }
    }

    /// <summary>Latest value of a training scalar (loss, epsilon, learning_rate, approx_kl, …), also sent to TensorBoard.</summary>
    public void Scalar(string name, double value, long step)
    {
        _scalars[name] = value;
        _tensorboard?.add_scalar($"train/{name}", (float)value, (int)Math.Min(step, int.MaxValue));
    }

    public double? Latest(string name) => _scalars.TryGetValue(name, out double v) ? v : null;

    public void Episode(long step, long episode, double ret, int length, double fps, double seconds)
    {
        _episodes.WriteLine(string.Join(',',
            step.ToString(CultureInfo.InvariantCulture), episode.ToString(CultureInfo.InvariantCulture),
            F(ret), length.ToString(CultureInfo.InvariantCulture), F(Latest("loss")), F(Latest("epsilon")),
            F(Latest("learning_rate")), F(fps), F(seconds)));
        int s = (int)Math.Min(step, int.MaxValue);
        _tensorboard?.add_scalar("charts/episodic_return", (float)ret, s);
        _tensorboard?.add_scalar("charts/episodic_length", length, s);
        _tensorboard?.add_scalar("charts/fps", (float)fps, s);
        FlushIfDue();
    }

    public void Evaluation(long step, double mean, double std, double meanLength, int episodes, double seconds)
    {
        _evals.WriteLine(string.Join(',', step.ToString(CultureInfo.InvariantCulture), F(mean), F(std), F(meanLength),
            episodes.ToString(CultureInfo.InvariantCulture), F(seconds)));
        _tensorboard?.add_scalar("eval/mean_return", (float)mean, (int)Math.Min(step, int.MaxValue));
        Flush();
    }

    /// <summary>A number for the CSV: empty when absent, and nan / inf / -inf written out (never silently empty).</summary>
    private static string F(double? v) => v switch
    {
        null => "",
        double d when double.IsNaN(d) => "nan",
        double d when double.IsPositiveInfinity(d) => "inf",
        double d when double.IsNegativeInfinity(d) => "-inf",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
    };

    private void FlushIfDue()
    {
        long now = Environment.TickCount64;
        if (now - _lastFlushTicks < 1000) return;
        Flush();
    }

    public void Flush()
    {
        _lastFlushTicks = Environment.TickCount64;
        _episodes.Flush();
        _evals.Flush();
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Flush();
        _episodes.Dispose();
        _evals.Dispose();
        // SummaryWriter writes each event synchronously and holds no open handle: nothing to close.
    }
}
