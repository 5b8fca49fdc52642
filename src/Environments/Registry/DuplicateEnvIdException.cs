namespace DeepRL.Environments;

/// <summary>An environment id registered a second time (e.g. a plugin assembly loaded twice in one process).</summary>
public sealed class DuplicateEnvIdException(string id)
    : ArgumentException($"Environment id '{id}' is already registered.")
{
    public string Id { get; } = id;
}
