namespace DeepRL.Agents.Training;

/// <summary>
/// Writes files so that readers see either the old complete file or the new complete file, never a
/// half-written one: write to a temp file in the same folder, flush, then rename over the target.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents) => Write(path, tmp => File.WriteAllText(tmp, contents));

    /// <summary>Lets <paramref name="writer"/> write to a temp path (e.g. TorchSharp's save), then renames it into place.</summary>
    public static void Write(string path, Action<string> writer)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            writer(tmp);
            using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.ReadWrite)) fs.Flush(flushToDisk: true);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>
    /// Replaces directory <paramref name="path"/> with one filled by <paramref name="fill"/>: the new
    /// contents are complete before the swap, and the previous version survives as <c>path.old</c>
    /// until the swap is done (readers fall back to it, see <see cref="ResolveDirectory"/>).
    /// </summary>
    public static void ReplaceDirectory(string path, Action<string> fill)
    {
        string full = Path.GetFullPath(path);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        string old = full + ".old";
        Directory.CreateDirectory(tmp);
        try
        {
            fill(tmp);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
            if (Directory.Exists(full)) Directory.Move(full, old);
            Directory.Move(tmp, full);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>The directory to read: <paramref name="path"/>, or its <c>.old</c> copy if a swap was interrupted.</summary>
    public static string? ResolveDirectory(string path)
    {
        if (Directory.Exists(path)) return path;
        return Directory.Exists(path + ".old") ? path + ".old" : null;
    }
}
