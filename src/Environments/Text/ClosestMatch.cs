namespace DeepRL.Environments.Text;

/// <summary>"Did you mean …?" for user input: the closest known name by edit distance, ignoring case.</summary>
public static class ClosestMatch
{
    /// <summary>The candidate nearest to <paramref name="input"/>, or null when even it is more than <paramref name="maxDistance"/> edits away.</summary>
    public static string? Find(string input, IEnumerable<string> candidates, int maxDistance)
    {
        string needle = input.ToLowerInvariant();
        var best = candidates.Select(c => (Name: c, Distance: Distance(c.ToLowerInvariant(), needle))).OrderBy(c => c.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= maxDistance ? best.Name : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions each cost 1.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
