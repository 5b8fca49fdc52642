namespace DeepRL.Replay;

/// <summary>
/// Checks a buffer's size before allocating it: one .NET array holds at most <see cref="Array.MaxLength"/> elements
/// (beyond that the size arithmetic overflows), and a buffer larger than the memory this process may use would
/// only fail later, or get the process killed. Either way the message says what is too big and what to lower.
/// </summary>
public static class AllocationLimit
{
    /// <param name="what">The buffer and its dimensions, as the message should name them.</param>
    /// <param name="elements">Values it would hold.</param>
    /// <param name="bytesPerElement">Size of one value.</param>
    /// <param name="fix">What the user can lower.</param>
    /// <param name="availableBytes">The memory limit to check against (default: what the GC says this process may use).</param>
    public static void Check(string what, long elements, int bytesPerElement, string fix, long? availableBytes = null)
    {
        if (elements < 0 || elements > Array.MaxLength)
            throw new ArgumentException($"{what} needs {elements:N0} values, more than one array can hold ({Array.MaxLength:N0}); {fix}.");
        long bytes = elements * bytesPerElement;
        long available = availableBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && bytes > available)
            throw new ArgumentException($"{what} needs {Size(bytes)}, more than the {Size(available)} of memory available; {fix}.");
    }

    private static string Size(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1L << 20):F1} MiB";
}
