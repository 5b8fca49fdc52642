using System.Globalization;

namespace DeepRL.Environments;

/// <summary>
/// Keyword options passed to an environment factory (Gymnasium's <c>make(id, **kwargs)</c>), e.g.
/// <c>obs=image</c> or <c>sticky=0</c>. Typed getters turn a bad value into an error naming the key.
/// </summary>
public sealed class EnvOptions
{
    private readonly Dictionary<string, string> _values;
    // Several threads build envs from one options object (vector envs, A3C workers): reads are recorded under a lock.
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _readLock = new();

    private void MarkRead(string key)
    {
        lock (_readLock) _read.Add(key);
    }

    public static EnvOptions None => new(new Dictionary<string, string>());

    public EnvOptions(IDictionary<string, string> values) =>
        _values = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses <c>key=value</c> pairs, as given on the command line.</summary>
    public static EnvOptions Parse(IEnumerable<string> pairs)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0 || eq == pair.Length - 1)
                throw new ArgumentException($"Environment option '{pair}' is not of the form key=value (e.g. obs=image).");
            values[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return new EnvOptions(values);
    }

    public IReadOnlyDictionary<string, string> Values => _values;

    public string GetString(string key, string fallback, params string[] allowed)
    {
        MarkRead(key);
        if (!_values.TryGetValue(key, out var v)) return fallback;
        if (allowed.Length > 0 && !allowed.Contains(v, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"Environment option {key}={v} is invalid; valid values: {string.Join(", ", allowed)}.");
        return v.ToLowerInvariant();
    }

    public double GetDouble(string key, double fallback)
    {
        MarkRead(key);
        if (!_values.TryGetValue(key, out var v)) return fallback;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            throw new ArgumentException($"Environment option {key}={v} is not a number.");
        return d;
    }

    public int GetInt(string key, int fallback)
    {
        MarkRead(key);
        if (!_values.TryGetValue(key, out var v)) return fallback;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i))
            throw new ArgumentException($"Environment option {key}={v} is not an integer.");
        return i;
    }

    public bool GetBool(string key, bool fallback)
    {
        MarkRead(key);
        if (!_values.TryGetValue(key, out var v)) return fallback;
        return v.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new ArgumentException($"Environment option {key}={v} is not true/false."),
        };
    }

    /// <summary>Throws when an option was given that no getter asked for (catches typos like <c>sticky_prob</c>).</summary>
    public void ThrowIfUnused(string envId)
    {
        List<string> unused, read;
        lock (_readLock)
        {
            unused = _values.Keys.Where(k => !_read.Contains(k)).ToList();
            read = _read.Order().ToList();
        }
        if (unused.Count > 0)
        {
            string known = read.Count == 0 ? "it takes no options" : "it takes: " + string.Join(", ", read);
            throw new ArgumentException($"Unknown option(s) for {envId}: {string.Join(", ", unused)}; {known}.");
        }
    }

    public override string ToString() => string.Join(",", _values.Select(kv => $"{kv.Key}={kv.Value}"));
}
