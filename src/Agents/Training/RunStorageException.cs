namespace DeepRL.Agents.Training;

/// <summary>
/// The run folder cannot be written (disk full, read-only, no permission). The message gives the real cause and
/// the path; the previous checkpoint is intact, so the run can be resumed once the cause is fixed.
/// </summary>
public sealed class RunStorageException(string message, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>Describes why writing to <paramref name="path"/> failed, checking the free space when the error does not say.</summary>
    public static string Cause(Exception ex, string path)
    {
        const int ENOSPC = 28, EDQUOT = 122;
        if (ex is UnauthorizedAccessException) return "permission denied (is the folder read-only?)";
        if (ex is IOException io && (io.HResult & 0xFFFF) is ENOSPC or EDQUOT) return "no space left on the device";
        try
        {
            long free = new DriveInfo(FindMount(path) ?? "/").AvailableFreeSpace;
            if (free < 64L << 20) return $"the disk is (nearly) full: {free / 1024} KiB free ({ex.Message})";
        }
        catch (Exception)
        {
            // Free space unknown: report the error as it is.
        }
        return ex.Message;
    }

    private static string? FindMount(string path)
    {
        string full = Path.GetFullPath(path);
        return DriveInfo.GetDrives().Select(d => d.Name).Where(m => full.StartsWith(m, StringComparison.Ordinal)).MaxBy(m => m.Length);
    }
}
