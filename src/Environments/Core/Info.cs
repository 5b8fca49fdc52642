namespace DeepRL.Environments;

/// <summary>
/// Extra diagnostic information returned by <c>Reset</c> and <c>Step</c> (Gymnasium's <c>info</c> dict).
/// Most steps carry <see cref="Empty"/>, which costs nothing; wrappers add entries such as
/// <c>"episode"</c> only at the rare steps where they have something to say.
/// </summary>
public sealed class Info
{
    private readonly Dictionary<string, object>? _entries;

    public static readonly Info Empty = new(null);

    private Info(Dictionary<string, object>? entries) => _entries = entries;

    public IEnumerable<string> Keys => _entries?.Keys ?? Enumerable.Empty<string>();

    public bool IsEmpty => _entries is null || _entries.Count == 0;

    public bool TryGet<T>(string key, out T value)
    {
        if (_entries is not null && _entries.TryGetValue(key, out var v) && v is T t)
        {
            value = t;
            return true;
        }
        value = default!;
        return false;
    }

    public bool Contains(string key) => _entries?.ContainsKey(key) ?? false;

    /// <summary>A copy of this info with one more entry (allocates: use only on rare steps).</summary>
    public Info With(string key, object value)
    {
        var entries = _entries is null ? new Dictionary<string, object>() : new Dictionary<string, object>(_entries);
        entries[key] = value;
        return new Info(entries);
    }

    public override string ToString() => IsEmpty ? "{}" : "{" + string.Join(", ", _entries!.Select(kv => $"{kv.Key}: {kv.Value}")) + "}";
}

/// <summary>Statistics of one finished episode, added to the info by <c>RecordEpisodeStatistics</c> under <c>"episode"</c>.</summary>
public sealed record EpisodeStatistics(double Return, int Length, double Seconds);
