using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Replay;

/// <summary>
/// A sampled minibatch in tensors allocated once and refilled on every sample: observations [B, …obs],
/// actions [B] (int64), rewards [B], discounts [B], next observations, importance weights [B] (1 for
/// uniform sampling), and the sampled buffer indices (for priority updates). Host arrays are filled by
/// the buffer, then copied into the tensors in one copy each (then to the device if it is not the CPU).
/// When the buffer stores action masks, <see cref="NextActionMasks"/> [B, A] (1 = valid) comes along.
/// </summary>
public sealed class ReplayBatch : IDisposable
{
    private readonly Tensor _obsCpu, _nextCpu, _actCpu, _rewCpu, _discCpu, _wCpu;

    public ReplayBatch(int batchSize, int[] observationShape, Device device)
    {
        BatchSize = batchSize;
        ObsSize = observationShape.Aggregate(1, (a, b) => a * b);
        long[] shape = [batchSize, .. observationShape.Select(d => (long)d)];
        HostObservations = new float[batchSize * ObsSize];
        HostNextObservations = new float[batchSize * ObsSize];
        HostActions = new long[batchSize];
        HostRewards = new float[batchSize];
        HostDiscounts = new float[batchSize];
        HostWeights = new float[batchSize];
        Indices = new int[batchSize];
        _obsCpu = zeros(shape);
        _nextCpu = zeros(shape);
        _actCpu = zeros(batchSize, dtype: int64);
        _rewCpu = zeros(batchSize);
        _discCpu = zeros(batchSize);
        _wCpu = ones(batchSize);
        Device = device;
        bool onCpu = device.type == DeviceType.CPU;
        Observations = onCpu ? _obsCpu : zeros(shape, device: device);
        NextObservations = onCpu ? _nextCpu : zeros(shape, device: device);
        Actions = onCpu ? _actCpu : zeros(batchSize, dtype: int64, device: device);
        Rewards = onCpu ? _rewCpu : zeros(batchSize, device: device);
        Discounts = onCpu ? _discCpu : zeros(batchSize, device: device);
        Weights = onCpu ? _wCpu : ones(batchSize, device: device);
    }

    public int BatchSize { get; }

    public int ObsSize { get; }

    public Device Device { get; }

    public Tensor Observations { get; }

    public Tensor Actions { get; }

    public Tensor Rewards { get; }

    public Tensor NextObservations { get; }

    public Tensor Discounts { get; }

    public Tensor Weights { get; }

    /// <summary>Valid actions at the next observations [B, A] as 1/0, or null when the buffer stores no masks.</summary>
    public Tensor? NextActionMasks { get; private set; }

    private Tensor? _masksCpu;
    private float[]? _hostMasks;

    internal void WriteNextActionMask(int row, ReadOnlySpan<bool> mask)
    {
        if (_hostMasks is null)
        {
            // Created on first use, typically inside the caller's dispose scope: detached so they live as long as the batch.
            _hostMasks = new float[BatchSize * mask.Length];
            _masksCpu = zeros(BatchSize, mask.Length).DetachFromDisposeScope();
            NextActionMasks = Device.type == DeviceType.CPU ? _masksCpu : zeros([BatchSize, mask.Length], device: Device).DetachFromDisposeScope();
        }
        for (int a = 0; a < mask.Length; a++) _hostMasks[row * mask.Length + a] = mask[a] ? 1f : 0f;
    }

    /// <summary>Buffer slots of the sampled transitions.</summary>
    public int[] Indices { get; }

    internal float[] HostObservations { get; }

    internal float[] HostNextObservations { get; }

    internal long[] HostActions { get; }

    internal float[] HostRewards { get; }

    internal float[] HostDiscounts { get; }

    internal float[] HostWeights { get; }

    /// <summary>Copies the host arrays into the batch tensors (one copy per tensor).</summary>
    internal void Upload(bool includeObservations)
    {
        if (includeObservations)
        {
            _obsCpu.data<float>().CopyFrom(HostObservations);
            _nextCpu.data<float>().CopyFrom(HostNextObservations);
        }
        _actCpu.data<long>().CopyFrom(HostActions);
        _rewCpu.data<float>().CopyFrom(HostRewards);
        _discCpu.data<float>().CopyFrom(HostDiscounts);
        _wCpu.data<float>().CopyFrom(HostWeights);
        _masksCpu?.data<float>().CopyFrom(_hostMasks!);
        if (Device.type == DeviceType.CPU) return;
        using var _ = no_grad();
        if (includeObservations)
        {
            Observations.copy_(_obsCpu);
            NextObservations.copy_(_nextCpu);
        }
        Actions.copy_(_actCpu);
        Rewards.copy_(_rewCpu);
        Discounts.copy_(_discCpu);
        Weights.copy_(_wCpu);
        if (_masksCpu is not null) NextActionMasks!.copy_(_masksCpu);
    }

    public void Dispose()
    {
        foreach (var t in new[] { _obsCpu, _nextCpu, _actCpu, _rewCpu, _discCpu, _wCpu, Observations, NextObservations, Actions, Rewards, Discounts, Weights })
            t.Dispose();
        if (NextActionMasks is not null && !ReferenceEquals(NextActionMasks, _masksCpu)) NextActionMasks.Dispose();
        _masksCpu?.Dispose();
    }
}
