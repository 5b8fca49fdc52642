namespace DeepRL.Replay.Storage;

/// <summary>Where a replay buffer keeps its observations: host arrays, or tensors on the training device.</summary>
public interface IObservationStore : IDisposable
{
    int Capacity { get; }

    /// <summary>Values per observation.</summary>
    int Size { get; }

    /// <summary>True when values are stored as bytes (uint8 observation spaces).</summary>
    bool IsBytes { get; }

    long MemoryBytes { get; }

    void Write(int index, ReadOnlySpan<float> observation);

    /// <summary>Copies one stored observation to the host (tests, persistence; not a hot path for device storage).</summary>
    void Read(int index, Span<float> destination);

    /// <summary>The first <paramref name="count"/> rows as host arrays (exactly one of them non-null), for saving.</summary>
    (float[]? Floats, byte[]? Bytes) Export(int count);

    /// <summary>Restores rows saved by <see cref="Export"/>.</summary>
    void Import(float[]? floats, byte[]? bytes);
}
