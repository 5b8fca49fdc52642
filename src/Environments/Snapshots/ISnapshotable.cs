namespace DeepRL.Environments;

/// <summary>
/// An environment, wrapper or vector environment that can write its complete state — the episode in progress, its
/// counters and its random generator — and read it back into an instance made the same way, so a training run stopped
/// at a checkpoint continues exactly as if it had never stopped. A wrapper writes only its own state:
/// <see cref="EnvSnapshots"/> walks the wrapper chain, and a chain is snapshotable only when every layer is.
/// </summary>
public interface ISnapshotable
{
    /// <summary>
    /// Null when the state can be saved; otherwise the name of the part that cannot save its own (a vector env over
    /// a user env without <see cref="ISnapshotable"/>, for one), so callers can say why they fall back.
    /// </summary>
    string? SnapshotBlocker => null;

    void SaveState(BinaryWriter writer);

    /// <summary>Restores what <see cref="SaveState"/> wrote; throws <see cref="InvalidDataException"/> when it does not fit.</summary>
    void LoadState(BinaryReader reader);
}
