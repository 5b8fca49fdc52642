using System.Buffers.Binary;

namespace DeepRL.Agents.Training;

/// <summary>
/// Trims TensorBoard event files to a step, so a resumed run's curves continue from its checkpoint instead of
/// showing the lost steps twice. An event file is a sequence of TFRecords (length: u64, its masked CRC: u32, data,
/// the data's masked CRC: u32) whose data is an Event protobuf with the step in field 2. Kept records are copied
/// byte for byte (their CRCs stay valid); records past the step and a record torn by a kill are dropped.
/// </summary>
public static class TensorBoardEvents
{
    public static void TruncateAfter(string tensorboardDir, long step)
    {
        if (!Directory.Exists(tensorboardDir)) return;
        foreach (var file in Directory.GetFiles(tensorboardDir, "events.out.tfevents.*"))
        {
            byte[] bytes = File.ReadAllBytes(file);
            int keep = KeptLength(bytes, step);
            if (keep == bytes.Length) continue;
            AtomicFile.WriteAllBytes(file, bytes.AsSpan(0, keep).ToArray());
        }
    }

    /// <summary>The length of the leading records whose step is ≤ <paramref name="step"/> (records without a step count as kept).</summary>
    public static int KeptLength(ReadOnlySpan<byte> file, long step)
    {
        int at = 0;
        while (at + 12 <= file.Length)
        {
            long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(file[at..]);
            if (length < 0 || at + 12 + length + 4 > file.Length) break; // torn by a kill
            var data = file.Slice(at + 12, (int)length);
            if (EventStep(data) is long s && s > step) break;
            at += 12 + (int)length + 4;
        }
        return at;
    }

    /// <summary>Field 2 (step, varint) of an Event message, or null when it has none (the file-version record).</summary>
    public static long? EventStep(ReadOnlySpan<byte> message)
    {
        int at = 0;
        while (at < message.Length)
        {
            ulong key = ReadVarint(message, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    ulong value = ReadVarint(message, ref at);
                    if (field == 2) return (long)value;
                    break;
                case 1: at += 8; break;
                case 2: at += (int)ReadVarint(message, ref at); break;
                case 5: at += 4; break;
                default: return null; // not an Event message we understand: keep it
            }
        }
        return null;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong result = 0;
        for (int shift = 0; at < data.Length && shift < 64; shift += 7)
        {
            byte b = data[at++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        return result;
    }
}
