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
        string? closest = Text.ClosestMatch.Find(id, knownIds, Math.Max(3, id.Length / 3));
        string hint = closest is null ? "" : $" Did you mean '{closest}'?";
        return $"Unknown environment id '{id}'.{hint} Known ids: {string.Join(", ", knownIds)}. " +
               "Run 'deeprl envs' for details, or load your own with --env-assembly.";
    }
}
