using System.Globalization;

namespace DeepRL.Agents.Training;

/// <summary>Number formatting for people: short step counts, and values that never round across a threshold.</summary>
public static class Numbers
{
    /// <summary>1234 → "1.2k", 2_500_000 → "2.5M"; below 10k the exact count.</summary>
    public static string Steps(long n) => n switch
    {
        < 10_000 => n.ToString(CultureInfo.InvariantCulture),
        < 1_000_000 => (n / 1e3).ToString(n < 100_000 ? "0.#" : "0", CultureInfo.InvariantCulture) + "k",
        _ => (n / 1e6).ToString(n < 100_000_000 ? "0.##" : "0", CultureInfo.InvariantCulture) + "M",
    };

    /// <summary>One decimal for typical returns, more for small values (0.95 stays 0.95, not "1.0").</summary>
    public static string Short(double v)
    {
        if (!double.IsFinite(v)) return v.ToString(CultureInfo.InvariantCulture).ToLowerInvariant();
        double a = Math.Abs(v);
        string format = a >= 100 ? "0.0" : a >= 10 ? "0.0#" : "0.0##";
        return v.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Formats <paramref name="value"/> with enough digits that the printed number compares to
    /// <paramref name="threshold"/> the way the real value does: 474.96 against 475 prints "474.96", not "475.0".
    /// </summary>
    public static string Against(double value, double threshold)
    {
        int cmp = value.CompareTo(threshold);
        string shortText = Short(value);
        int shortDigits = shortText.Contains('.') ? shortText.Length - shortText.IndexOf('.') - 1 : 0;
        for (int digits = Math.Max(1, shortDigits); digits <= 15; digits++)
        {
            string text = value.ToString("F" + digits, CultureInfo.InvariantCulture);
            double shown = double.Parse(text, CultureInfo.InvariantCulture);
            if (shown.CompareTo(threshold) == cmp && (cmp != 0 || shown == value)) return text;
        }
        return value.ToString("R", CultureInfo.InvariantCulture);
    }
}
