using DeepRL.Environments;
using DeepRL.Environments.Spaces;
using DeepRL.Replay.Storage;

namespace DeepRL.Replay;

/// <summary>
/// Fixed-capacity ring buffer of transitions with uniform sampling (DQN's experience replay).
/// Storage is contiguous typed arrays allocated up front; adding and sampling allocate nothing.
/// Discrete actions only (the DQN family).
/// </summary>
public class ReplayBuffer : IDisposable
{
    /// <param name="capacity">Transitions kept.</param>
    /// <param name="observationSpace">Shape and dtype of observations (uint8 spaces are stored as bytes).</param>
    /// <param name="storageDevice">Keep observations as tensors on this device instead of host arrays (null = host).</param>
    public ReplayBuffer(int capacity, Box observationSpace, TorchSharp.torch.Device? storageDevice = null)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "buffer_size must be positive.");
        Capacity = capacity;
        ObservationShape = observationSpace.Shape;
        bool bytes = observationSpace.DType == BoxDType.UInt8;
        Observations = storageDevice is null ? ObservationStore.For(observationSpace, capacity) : new DeviceObservationStore(capacity, observationSpace.FlatSize, bytes, storageDevice);
        NextObservations = storageDevice is null ? ObservationStore.For(observationSpace, capacity) : new DeviceObservationStore(capacity, observationSpace.FlatSize, bytes, storageDevice);
        Actions = new int[capacity];
        Rewards = new float[capacity];
        Discounts = new float[capacity];
    }

    public int Capacity { get; }

    public int[] ObservationShape { get; }

    /// <summary>Number of transitions stored (at most <see cref="Capacity"/>).</summary>
    public int Count { get; protected set; }

    /// <summary>Slot the next transition goes to.</summary>
    public int Position { get; protected set; }

    /// <summary>Transitions added since creation (including overwritten ones).</summary>
    public long TotalAdded { get; protected set; }

    internal IObservationStore Observations { get; }

    internal IObservationStore NextObservations { get; }

    /// <summary>True when observations live in device tensors.</summary>
    public bool StoresOnDevice => Observations is DeviceObservationStore;

    internal int[] Actions { get; }

    internal float[] Rewards { get; }

    internal float[] Discounts { get; }

    /// <summary>
    /// Valid actions at each slot's next observation ([slot, action]), or null until the first transition with a
    /// mask arrives (from then on slots without one count as all-valid).
    /// </summary>
    internal bool[]? NextActionMasks { get; private set; }

    /// <summary>Actions per mask row (0 while no masks are stored).</summary>
    public int ActionMaskSize { get; private set; }

    public long MemoryBytes => Observations.MemoryBytes + NextObservations.MemoryBytes + Capacity * 12L + (NextActionMasks?.LongLength ?? 0);

    public void Add(in Transition t)
    {
        int i = Position;
        Observations.Write(i, t.Observation);
        NextObservations.Write(i, t.NextObservation);
        Actions[i] = t.Action;
        Rewards[i] = t.Reward;
        Discounts[i] = t.Discount;
        if (!t.NextActionMask.IsEmpty || NextActionMasks is not null) WriteMask(i, t.NextActionMask);
        OnAdded(i);
        Position = (Position + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
        TotalAdded++;
    }

    private void WriteMask(int slot, ReadOnlySpan<bool> mask)
    {
        if (NextActionMasks is null) EnableActionMasks(mask.Length);
        var row = NextActionMasks.AsSpan(slot * ActionMaskSize, ActionMaskSize);
        // No mask, or a terminal state's empty one: every action counts (the bootstrap is discounted away or unrestricted).
        if (mask.IsEmpty || ActionMask.NoneValid(mask)) row.Fill(true);
        else if (mask.Length != ActionMaskSize) throw new ArgumentException($"Action masks have {ActionMaskSize} entries; got {mask.Length}.");
        else mask.CopyTo(row);
    }

    /// <summary>Starts storing next-state action masks of <paramref name="actions"/> entries; existing slots become all-valid.</summary>
    internal void EnableActionMasks(int actions)
    {
        if (NextActionMasks is not null) return;
        ActionMaskSize = actions;
        NextActionMasks = new bool[(long)Capacity * actions];
        Array.Fill(NextActionMasks, true);
    }

    /// <summary>Hook for subclasses that track per-slot data (priorities).</summary>
    protected virtual void OnAdded(int index)
    {
    }

    /// <summary>Fills <paramref name="batch"/> with a uniformly random minibatch (with replacement, as SB3 does).</summary>
    public void Sample(ReplayBatch batch, Rng rng)
    {
        if (Count == 0) throw new InvalidOperationException("Cannot sample from an empty replay buffer.");
        ChooseIndices(batch, rng);
        Gather(batch);
        if (Observations is DeviceObservationStore obs && NextObservations is DeviceObservationStore next)
        {
            batch.Upload(includeObservations: false);
            using var indices = TorchSharp.torch.tensor(batch.Indices.Select(i => (long)i).ToArray(), device: obs.Device);
            obs.Gather(indices, batch.Observations);
            next.Gather(indices, batch.NextObservations);
        }
        else
        {
            batch.Upload(includeObservations: true);
        }
    }

    protected virtual void ChooseIndices(ReplayBatch batch, Rng rng)
    {
        for (int b = 0; b < batch.BatchSize; b++)
        {
            batch.Indices[b] = rng.NextInt(Count);
            batch.HostWeights[b] = 1f;
        }
    }

    private void Gather(ReplayBatch batch)
    {
        int size = batch.ObsSize;
        bool onHost = !StoresOnDevice;
        for (int b = 0; b < batch.BatchSize; b++)
        {
            int i = batch.Indices[b];
            if (onHost)
            {
                Observations.Read(i, batch.HostObservations.AsSpan(b * size, size));
                NextObservations.Read(i, batch.HostNextObservations.AsSpan(b * size, size));
            }
            if (NextActionMasks is not null) batch.WriteNextActionMask(b, NextActionMasks.AsSpan(i * ActionMaskSize, ActionMaskSize));
            batch.HostActions[b] = Actions[i];
            batch.HostRewards[b] = Rewards[i];
            batch.HostDiscounts[b] = Discounts[i];
        }
    }

    public void Dispose()
    {
        Observations.Dispose();
        NextObservations.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Restores counters after loading contents from a file.</summary>
    internal void RestoreCounters(int count, int position, long totalAdded)
    {
        Count = count;
        Position = position;
        TotalAdded = totalAdded;
    }
}
