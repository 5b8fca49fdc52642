using DeepRL.Environments.Spaces;

namespace DeepRL.Replay.Storage;

/// <summary>
/// Contiguous storage for <c>capacity</c> observations of one size. Observation spaces declared
/// <see cref="BoxDType.UInt8"/> (image planes, binary channels) are kept as bytes — a 10×10×n image costs
/// bytes, not floats; everything else as float32.
/// </summary>
public sealed class ObservationStore : IObservationStore
{
    private readonly float[]? _floats;
    private readonly byte[]? _bytes;

    public ObservationStore(int capacity, int size, bool asBytes)
    {
        Capacity = capacity;
        Size = size;
        long total = (long)capacity * size;
        AllocationLimit.Check($"Replay storage of {capacity:N0} observations × {size:N0} values", total, asBytes ? 1 : sizeof(float),
            "lower buffer_size or use a smaller observation");
        if (asBytes) _bytes = new byte[total];
        else _floats = new float[total];
    }

    public static ObservationStore For(Box space, int capacity) => new(capacity, space.FlatSize, space.DType == BoxDType.UInt8);

    public int Capacity { get; }

    public int Size { get; }

    public bool IsBytes => _bytes is not null;

    /// <summary>Bytes of memory this store holds.</summary>
    public long MemoryBytes => _bytes?.LongLength ?? _floats!.LongLength * sizeof(float);

    public void Write(int index, ReadOnlySpan<float> observation)
    {
        if (observation.Length != Size) throw new ArgumentException($"Observation has {observation.Length} values; the buffer stores {Size}.");
        if (_bytes is not null)
        {
            var dst = _bytes.AsSpan(index * Size, Size);
            for (int i = 0; i < Size; i++) dst[i] = (byte)observation[i];
        }
        else
        {
            observation.CopyTo(_floats.AsSpan(index * Size, Size));
        }
    }

    public void Read(int index, Span<float> destination)
    {
        if (_bytes is not null)
        {
            var src = _bytes.AsSpan(index * Size, Size);
            for (int i = 0; i < Size; i++) destination[i] = src[i];
        }
        else
        {
            _floats.AsSpan(index * Size, Size).CopyTo(destination);
        }
    }

    public (float[]? Floats, byte[]? Bytes) Export(int count) =>
        (_floats?[..(count * Size)], _bytes?[..(count * Size)]);

    public void Import(float[]? floats, byte[]? bytes)
    {
        if (_bytes is not null) bytes!.CopyTo(_bytes, 0);
        else floats!.CopyTo(_floats!, 0);
    }

    public void Dispose()
    {
    }
}
