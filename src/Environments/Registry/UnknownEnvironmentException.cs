namespace DeepRL.Environments;

/// <summary>Thrown for an environment id the registry does not know; the message lists the known ids.</summary>
public sealed class UnknownEnvironmentException : ArgumentException
{
    public UnknownEnvironmentException(string id, IReadOnlyCollection<string> knownIds)
        : base(BuildMessage(id, knownIds))
    {
        Id = id;
    }

    public string Id { get; }

    private static string BuildMessage(string id, IReadOnlyCollection<string> knownIds)
    {
        var closest = knownIds.OrderBy(k => Distance(k.ToLowerInvariant(), id.ToLowerInvariant())).First();
        string hint = Distance(closest.ToLowerInvariant(), id.ToLowerInvariant()) <= Math.Max(3, id.Length / 3)
            ? $" Did you mean '{closest}'?"
            : "";
        return $"Unknown environment id '{id}'.{hint} Known ids: {string.Join(", ", knownIds)}. " +
               "Run 'deeprl envs' for details, or load your own with --env-assembly.";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            }
        }
        return d[a.Length, b.Length];
    }
}
