using MessagePack;

namespace DeepRL.Replay.Persistence;

/// <summary>The MessagePack body of a replay buffer file (after the magic/version header).</summary>
[MessagePackObject]
public sealed class ReplayFileContents
{
    [Key(0)] public string Kind { get; set; } = "uniform";

    [Key(1)] public int Capacity { get; set; }

    [Key(2)] public int[] ObservationShape { get; set; } = [];

    [Key(3)] public bool ObservationsAreBytes { get; set; }

    [Key(4)] public int Count { get; set; }

    [Key(5)] public int Position { get; set; }

    [Key(6)] public long TotalAdded { get; set; }

    [Key(7)] public float[]? ObservationFloats { get; set; }

    [Key(8)] public byte[]? ObservationBytes { get; set; }

    [Key(9)] public float[]? NextObservationFloats { get; set; }

    [Key(10)] public byte[]? NextObservationBytes { get; set; }

    [Key(11)] public int[] Actions { get; set; } = [];

    [Key(12)] public float[] Rewards { get; set; } = [];

    [Key(13)] public float[] Discounts { get; set; } = [];

    [Key(14)] public double[]? Priorities { get; set; }

    [Key(15)] public double MaxPriority { get; set; }

    [Key(16)] public double Alpha { get; set; }

    /// <summary>Actions per next-state mask row; 0 when the buffer stores no masks (then <see cref="NextActionMasks"/> is null).</summary>
    [Key(17)] public int ActionMaskSize { get; set; }

    [Key(18)] public bool[]? NextActionMasks { get; set; }
}
