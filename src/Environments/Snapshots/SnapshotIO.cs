namespace DeepRL.Environments;

/// <summary>Reading and writing the pieces environment states are made of (arrays, generators), with size checks on read.</summary>
public static class SnapshotIO
{
    public static void Write(this BinaryWriter writer, Rng rng)
    {
        foreach (ulong word in rng.GetState()) writer.Write(word);
    }

    public static void ReadInto(this BinaryReader reader, Rng rng)
    {
        Span<ulong> state = stackalloc ulong[4];
        for (int i = 0; i < 4; i++) state[i] = reader.ReadUInt64();
        if (state.IndexOfAnyExcept(0UL) < 0) throw new InvalidDataException("A saved random-generator state is all zeros.");
        rng.SetState(state);
    }

    public static void WriteArray<T>(this BinaryWriter writer, ReadOnlySpan<T> values) where T : unmanaged
    {
        writer.Write(values.Length);
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads an array written by <see cref="WriteArray{T}"/> into <paramref name="target"/>, which must have the saved length.</summary>
    public static void ReadArray<T>(this BinaryReader reader, Span<T> target) where T : unmanaged
    {
        int length = reader.ReadInt32();
        if (length != target.Length)
            throw new InvalidDataException($"A saved array holds {length} values where {target.Length} are expected: the state belongs to a differently configured env.");
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(target));
    }

    public static void WriteGrid(this BinaryWriter writer, bool[,] grid) =>
        writer.WriteArray<bool>(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref grid[0, 0], grid.Length));

    public static void ReadGrid(this BinaryReader reader, bool[,] grid) =>
        reader.ReadArray(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref grid[0, 0], grid.Length));
}
