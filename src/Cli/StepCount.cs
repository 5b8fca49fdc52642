using System.Globalization;

namespace DeepRL.Cli;

/// <summary>
/// Parses step counts the way people write them: <c>100000</c>, <c>100_000</c>, <c>1e5</c>, <c>2.5e5</c>,
/// <c>100k</c>, <c>2M</c>. The value must be a whole, non-negative number of steps.
/// </summary>
public static class StepCount
{
    public static bool TryParse(string text, out long value, out string? error)
    {
        value = 0;
        error = null;
        string s = text.Trim().Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        double multiplier = 1;
        if (s.Length > 1 && char.IsLetter(s[^1]) && s[^1] is not ('e' or 'E'))
        {
            multiplier = char.ToLowerInvariant(s[^1]) switch { 'k' => 1e3, 'm' => 1e6, 'g' or 'b' => 1e9, _ => 0 };
            if (multiplier == 0)
            {
                error = $"'{text}' is not a step count: use a whole number such as 100000, 1e5 or 100k.";
                return false;
            }
            s = s[..^1];
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d))
        {
            error = $"'{text}' is not a step count: use a whole number such as 100000, 1e5 or 100k.";
            return false;
        }
        d *= multiplier;
        if (d < 0 || d > long.MaxValue / 2 || Math.Abs(d - Math.Round(d)) > 1e-9 * Math.Max(1, d))
        {
            error = $"'{text}' is not a whole, non-negative number of steps.";
            return false;
        }
        value = (long)Math.Round(d);
        return true;
    }
}
