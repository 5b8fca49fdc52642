using System.Buffers.Binary;
using DeepRL.Replay.Prioritized;
using MessagePack;

namespace DeepRL.Replay.Persistence;

/// <summary>
/// Saves and loads a replay buffer's contents so an interrupted run resumes with the same experience.
/// Format: 8 magic bytes <c>DEEPRLRB</c>, a little-endian int32 format version, then an LZ4-compressed
/// MessagePack <see cref="ReplayFileContents"/>. Files are written to a temp file and renamed, so a crash
/// never leaves a half-written buffer behind.
/// </summary>
public static class ReplayFile
{
    public const int FormatVersion = 1;
    private static readonly byte[] Magic = "DEEPRLRB"u8.ToArray();
    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithCompression(MessagePackCompression.Lz4BlockArray).WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// MessagePack's untrusted-data default caps decompressed data far below a real buffer (100k MinAtar frames are
    /// 140 MB), which made full buffers unloadable. A replay file may be as large as the memory the run could hold
    /// anyway, so the cap is the memory available to this process (MessagePack takes an int: at most 2 GB), and a
    /// damaged length still fails cleanly.
    /// </summary>
    private static MessagePackSerializerOptions LoadOptions() =>
        Options.WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumDecompressedSize(
            (int)Math.Min(Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 1L << 30), int.MaxValue)));

    public static void Save(ReplayBuffer buffer, string path)
    {
        int n = buffer.Count;
        var c = new ReplayFileContents
        {
            Kind = buffer is PrioritizedReplayBuffer ? "prioritized" : "uniform",
            Capacity = buffer.Capacity,
            ObservationShape = buffer.ObservationShape,
            ObservationsAreBytes = buffer.Observations.IsBytes,
            Count = n,
            Position = buffer.Position,
            TotalAdded = buffer.TotalAdded,
            Actions = buffer.Actions[..n],
            Rewards = buffer.Rewards[..n],
            Discounts = buffer.Discounts[..n],
            ActionMaskSize = buffer.ActionMaskSize,
            NextActionMasks = buffer.NextActionMasks?[..(n * buffer.ActionMaskSize)],
        };
        (c.ObservationFloats, c.ObservationBytes) = buffer.Observations.Export(n);
        (c.NextObservationFloats, c.NextObservationBytes) = buffer.NextObservations.Export(n);
        if (buffer is PrioritizedReplayBuffer per)
        {
            c.Priorities = Enumerable.Range(0, n).Select(i => per.Tree[i]).ToArray();
            c.MaxPriority = per.MaxPriority;
            c.Alpha = per.Alpha;
        }

        string tmp = path + ".tmp";
        using (var stream = File.Create(tmp))
        {
            stream.Write(Magic);
            Span<byte> version = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(version, FormatVersion);
            stream.Write(version);
            try
            {
                MessagePackSerializer.Serialize(stream, c, Options);
            }
            catch (MessagePackSerializationException ex) when (ex.InnerException is IOException or UnauthorizedAccessException)
            {
                // MessagePack wraps a failed write (disk full, permissions): callers handle the I/O error itself.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            }
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The first value no buffer could hold (a hand-edited or damaged file), named with its field and index.</summary>
    private static string? FirstInvalid(ReplayFileContents c)
    {
        if (c.TotalAdded < c.Count) return $"total_added {c.TotalAdded} is less than count {c.Count}";
        for (int i = 0; i < c.Count; i++)
        {
            if (c.Actions[i] < 0) return $"actions[{i}] is {c.Actions[i]} (actions are ≥ 0)";
            if (!float.IsFinite(c.Rewards[i])) return $"rewards[{i}] is {c.Rewards[i]} (must be finite)";
            if (!(c.Discounts[i] is >= 0f and <= 1f)) return $"discounts[{i}] is {c.Discounts[i]} (must be in [0, 1])";
            if (c.Priorities is { } p && !(double.IsFinite(p[i]) && p[i] >= 0)) return $"priorities[{i}] is {p[i]} (must be finite and ≥ 0)";
        }
        foreach (var (name, values) in new[] { ("observations", c.ObservationFloats), ("next_observations", c.NextObservationFloats) })
        {
            if (values is null) continue;
            for (int k = 0; k < values.Length; k++)
                if (!float.IsFinite(values[k])) return $"{name}[{k}] is {values[k]} (must be finite)";
        }
        return null;
    }

    /// <summary>Loads a file saved by <see cref="Save"/> into an empty buffer of the same kind and shape.</summary>
    public static void Load(ReplayBuffer buffer, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Replay buffer file '{path}' does not exist.", path);
        ReplayFileContents c;
        using (var stream = File.OpenRead(path))
        {
            Span<byte> header = stackalloc byte[12];
            if (stream.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12 || !header[..8].SequenceEqual(Magic))
                throw new InvalidDataException($"'{path}' is not a DeepRL replay buffer file (bad magic header).");
            int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            if (version != FormatVersion)
                throw new InvalidDataException($"'{path}' is replay format v{version}; this DeepRL reads v{FormatVersion}.");
            try
            {
                c = MessagePackSerializer.Deserialize<ReplayFileContents>(stream, LoadOptions());
            }
            catch (MessagePackSerializationException ex)
            {
                throw new InvalidDataException($"Replay buffer file '{path}' is corrupt: {ex.Message}", ex);
            }
        }

        string kind = buffer is PrioritizedReplayBuffer ? "prioritized" : "uniform";
        if (c.Kind != kind || c.Capacity != buffer.Capacity || !c.ObservationShape.SequenceEqual(buffer.ObservationShape)
            || c.ObservationsAreBytes != buffer.Observations.IsBytes)
            throw new InvalidDataException(
                $"Replay buffer file '{path}' holds a {c.Kind} buffer of {c.Capacity} × [{string.Join(",", c.ObservationShape)}]; " +
                $"the run expects a {kind} buffer of {buffer.Capacity} × [{string.Join(",", buffer.ObservationShape)}].");
        int n = c.Count, size = buffer.Observations.Size;
        bool lengthsOk = c.Actions.Length == n && c.Rewards.Length == n && c.Discounts.Length == n
                         && (c.ObservationsAreBytes
                             ? c.ObservationBytes?.Length == n * size && c.NextObservationBytes?.Length == n * size
                             : c.ObservationFloats?.Length == n * size && c.NextObservationFloats?.Length == n * size);
        lengthsOk &= c.ActionMaskSize >= 0 && (c.ActionMaskSize == 0 ? c.NextActionMasks is null : c.NextActionMasks?.Length == n * c.ActionMaskSize);
        if (!lengthsOk || n > c.Capacity || c.Position < 0 || c.Position >= Math.Max(1, c.Capacity))
            throw new InvalidDataException($"Replay buffer file '{path}' is corrupt: its arrays do not match its count {n}.");

        if (FirstInvalid(c) is string problem) throw new InvalidDataException($"Replay buffer file '{path}' is invalid: {problem}.");

        c.Actions.CopyTo(buffer.Actions, 0);
        c.Rewards.CopyTo(buffer.Rewards, 0);
        c.Discounts.CopyTo(buffer.Discounts, 0);
        buffer.Observations.Import(c.ObservationFloats, c.ObservationBytes);
        buffer.NextObservations.Import(c.NextObservationFloats, c.NextObservationBytes);
        if (c.NextActionMasks is not null)
        {
            buffer.EnableActionMasks(c.ActionMaskSize);
            c.NextActionMasks.CopyTo(buffer.NextActionMasks!, 0);
        }
        buffer.RestoreCounters(n, c.Position, c.TotalAdded);
        if (buffer is PrioritizedReplayBuffer per)
        {
            if (c.Priorities is null || c.Priorities.Length != n)
                throw new InvalidDataException($"Replay buffer file '{path}' is corrupt: priorities are missing.");
            for (int i = 0; i < n; i++) per.Tree.Set(i, c.Priorities[i]);
            per.MaxPriority = c.MaxPriority;
        }
    }
}
