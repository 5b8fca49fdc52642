using DeepRL.Environments.Wrappers;

namespace DeepRL.Environments;

/// <summary>
/// Saves and restores a whole wrapper chain, outermost layer first. Each layer's state is preceded by its type name,
/// so a snapshot read into a differently built env (another wrapper order, another env id) fails with a message
/// instead of silently mixing states.
/// </summary>
public static class EnvSnapshots
{
    /// <summary>Null when every layer of <paramref name="env"/> can snapshot itself; otherwise the name of the first that cannot.</summary>
    public static string? Blocker(IEnvironment env) =>
        Layers(env).FirstOrDefault(layer => layer is not ISnapshotable)?.GetType().Name;

    public static void Save(IEnvironment env, BinaryWriter writer)
    {
        foreach (var layer in Layers(env))
        {
            writer.Write(layer.GetType().Name);
            Snapshotable(layer).SaveState(writer);
        }
    }

    public static void Load(IEnvironment env, BinaryReader reader)
    {
        foreach (var layer in Layers(env))
        {
            string saved = reader.ReadString();
            if (saved != layer.GetType().Name)
                throw new InvalidDataException($"The saved environment state belongs to a {saved}, but this layer is a {layer.GetType().Name}: the env was built differently.");
            Snapshotable(layer).LoadState(reader);
        }
    }

    private static ISnapshotable Snapshotable(IEnvironment layer) => layer as ISnapshotable ??
        throw new NotSupportedException($"{layer.GetType().Name} does not implement ISnapshotable, so its state cannot be saved.");

    private static IEnumerable<IEnvironment> Layers(IEnvironment env)
    {
        for (IEnvironment? e = env; e is not null; e = (e as Wrapper)?.Inner) yield return e;
    }
}
