using System.Text.RegularExpressions;

namespace DeepRL.Cli;

/// <summary>Rewrites System.CommandLine's parse errors (which name .NET types) into plain words.</summary>
public static partial class ParseErrors
{
    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']*)' (?:of|as expected) type '(?<type>[^']*)'")]
    private static partial Regex CannotParse();

    public static string Explain(string message)
    {
        var m = CannotParse().Match(message);
        if (!m.Success) return message;
        string type = m.Groups["type"].Value;
        string expected =
            type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
            : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
            : "a different value";
        return $"{m.Groups["option"].Value} expects {expected}, got '{m.Groups["value"].Value}'.";
    }
}
