using System.Globalization;
using System.Text;
using DeepRL.Agents.Training;

namespace DeepRL.Cli;

/// <summary>
/// Formats training progress as one line that fits a given terminal width: a bar, percentage and
/// elapsed/remaining time first, then as many of step, fps, return and evaluation as fit. Composing the
/// line ourselves (instead of several Spectre columns) means a narrow terminal drops fields rather than
/// squeezing the time columns into vertical stacks of digits.
/// </summary>
public static class ProgressLine
{
    public static string Format(TrainingStatus s, int width)
    {
        width = Math.Max(20, width - 1); // the last column of a terminal wraps on some emulators
        double fraction = s.TotalSteps <= 0 ? 1 : Math.Clamp((double)s.Step / s.TotalSteps, 0, 1);
        double remaining = fraction <= 0 || s.Fps <= 0 ? double.NaN : (s.TotalSteps - s.Step) / s.Fps;
        string head = $"{Percent(fraction),4} {Duration(s.ElapsedSeconds)}<{Duration(remaining)}";
        string[] fields =
        [
            $"step {Numbers.Steps(s.Step)}/{Numbers.Steps(s.TotalSteps)}",
            $"return {Fmt(s.RecentMeanReturn)}",
            $"eval {Fmt(s.LastEvalMean)} (best {Fmt(s.BestEvalMean)})",
            // An algorithm's own throughput figures (IMPALA: actors and learner separately) stand in for the one fps.
            s.Detail ?? $"{Numbers.Steps((long)s.Fps)} fps",
            $"ep {s.Episodes.ToString(CultureInfo.InvariantCulture)}",
        ];
        int barWidth = Math.Clamp(width / 5, 5, 30);
        var line = new StringBuilder();
        line.Append(Bar(fraction, barWidth)).Append(' ').Append(head);
        if (line.Length > width) return line.ToString(0, width);
        foreach (var f in fields)
        {
            if (line.Length + 3 + f.Length > width) break;
            line.Append(" · ").Append(f);
        }
        return line.ToString();
    }

    private static string Bar(double fraction, int width)
    {
        int filled = (int)Math.Round(fraction * width);
        return new string('━', filled) + new string('─', width - filled);
    }

    private static string Percent(double fraction) => ((int)Math.Floor(fraction * 100)).ToString(CultureInfo.InvariantCulture) + "%";

    /// <summary>h:mm:ss, or m:ss under an hour; "-:--" when unknown.</summary>
    public static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "-:--";
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1
            ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}"
            : $"{t.Minutes}:{t.Seconds:00}";
    }

    private static string Fmt(double? v) => v is double d ? Numbers.Short(d) : "-";
}
