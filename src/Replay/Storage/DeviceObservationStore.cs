using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Replay.Storage;

/// <summary>
/// Observations kept as one tensor on the training device (e.g. a GPU), so sampled minibatches are gathered
/// there without crossing the bus. Adds go to a small host staging block that is copied to the device in
/// one contiguous write when it fills up or before a sample — no tensor work per transition.
/// </summary>
public sealed class DeviceObservationStore : IObservationStore
{
    private const int StagingRows = 256;
    private readonly Tensor _storage;
    private readonly Tensor _staging;
    private readonly float[] _stagingHost;
    private int _stagingStart = -1;
    private int _stagingCount;

    public DeviceObservationStore(int capacity, int size, bool asBytes, Device device)
    {
        Capacity = capacity;
        Size = size;
        IsBytes = asBytes;
        var dtype = asBytes ? ScalarType.Byte : ScalarType.Float32;
        _storage = zeros([capacity, size], dtype, device);
        _staging = zeros([StagingRows, size], ScalarType.Float32);
        _stagingHost = new float[StagingRows * size];
    }

    public int Capacity { get; }

    public int Size { get; }

    public bool IsBytes { get; }

    public Device Device => _storage.device;

    public long MemoryBytes => (long)Capacity * Size * (IsBytes ? 1 : 4);

    public void Write(int index, ReadOnlySpan<float> observation)
    {
        if (observation.Length != Size) throw new ArgumentException($"Observation has {observation.Length} values; the buffer stores {Size}.");
        // Rows are written in ring order; a jump (wrap-around) or a full block flushes first.
        if (_stagingCount > 0 && (index != _stagingStart + _stagingCount || _stagingCount == StagingRows)) Flush();
        if (_stagingCount == 0) _stagingStart = index;
        observation.CopyTo(_stagingHost.AsSpan(_stagingCount * Size, Size));
        _stagingCount++;
    }

    /// <summary>Copies staged rows to the device in one write.</summary>
    public void Flush()
    {
        if (_stagingCount == 0) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _staging.data<float>().CopyFrom(_stagingHost);
        var rows = _staging.narrow(0, 0, _stagingCount);
        _storage.narrow(0, _stagingStart, _stagingCount).copy_(IsBytes ? rows.to(ScalarType.Byte) : rows);
        _stagingCount = 0;
    }

    /// <summary>Gathers rows <paramref name="indices"/> (an int64 tensor on the device) into <paramref name="destination"/> [B, …] as float32.</summary>
    public void Gather(Tensor indices, Tensor destination)
    {
        Flush();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rows = _storage.index_select(0, indices);
        destination.view(rows.shape[0], Size).copy_(IsBytes ? rows.to(ScalarType.Float32) : rows);
    }

    public void Read(int index, Span<float> destination)
    {
        Flush();
        using var scope = NewDisposeScope();
        var row = _storage[index].to(ScalarType.Float32).cpu();
        row.data<float>().CopyTo(destination[..Size]);
    }

    public (float[]? Floats, byte[]? Bytes) Export(int count)
    {
        Flush();
        using var scope = NewDisposeScope();
        var rows = _storage.narrow(0, 0, count).cpu();
        return IsBytes ? (null, rows.data<byte>().ToArray()) : (rows.data<float>().ToArray(), null);
    }

    public void Import(float[]? floats, byte[]? bytes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var host = IsBytes ? tensor(bytes!) : tensor(floats!);
        int rows = (int)(host.shape[0] / Size);
        if (rows > 0) _storage.narrow(0, 0, rows).copy_(host.view(rows, Size).to(_storage.device));
    }

    public void Dispose()
    {
        _storage.Dispose();
        _staging.Dispose();
    }
}
