namespace DeepRL.Agents.Training;

/// <summary>
/// Writes files so that readers see either the old complete file or the new complete file, never a
/// half-written one: write to a temp file in the same folder, flush, then rename over the target.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents) => Write(path, tmp => File.WriteAllText(tmp, contents));

    public static void WriteAllBytes(string path, byte[] contents) => Write(path, tmp => File.WriteAllBytes(tmp, contents));

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
    /// Replaces checkpoint folder <paramref name="path"/> with one filled by <paramref name="fill"/>, so that at
    /// every instant a complete copy is reachable (<see cref="ResolveDirectory"/>): the new folder is filled and
    /// given its manifest (sizes and checksums) in a temp folder; the previous version is moved to
    /// <c>path.old</c>, the new one into place, and only then is <c>.old</c> deleted. A stale <c>.old</c> is only
    /// deleted while a complete <c>path</c> exists. <see cref="TestPause"/> lets tests stop the process between steps.
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
            CheckpointManifest.Write(tmp);
            TestPause?.Invoke("filled");
            if (Directory.Exists(full) && Directory.Exists(old) && CheckpointManifest.IsComplete(full)) Directory.Delete(old, recursive: true);
            TestPause?.Invoke("old-removed");
            if (Directory.Exists(full))
            {
                if (Directory.Exists(old)) Directory.Delete(full, recursive: true); // full is damaged; old is the good copy
                else Directory.Move(full, old);
            }
            TestPause?.Invoke("moved-aside");
            Directory.Move(tmp, full);
            TestPause?.Invoke("moved-in");
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>
    /// Test seam (internal: the test assembly's <c>PausingHost</c> sets it): called between the steps of
    /// <see cref="ReplaceDirectory"/> ("filled", "old-removed", "moved-aside", "moved-in").
    /// </summary>
    internal static Action<string>? TestPause { get; set; }

    /// <summary>
    /// The complete copy of checkpoint folder <paramref name="path"/> to read: the folder itself, else its
    /// <c>.old</c> copy, else a complete temp folder left by an interrupted save (the newest); null if none.
    /// Folders saved before manifests existed count as complete.
    /// </summary>
    public static string? ResolveDirectory(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full) && ManifestOk(full)) return full;
        if (Directory.Exists(full + ".old") && ManifestOk(full + ".old")) return full + ".old";
        string parent = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(parent)) return null;
        return Directory.GetDirectories(parent, $".{Path.GetFileName(full)}.*.tmp")
            .Where(CheckpointManifest.IsComplete)
            .OrderByDescending(Directory.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }

    private static bool ManifestOk(string folder) =>
        File.Exists(Path.Combine(folder, CheckpointManifest.FileName)) ? CheckpointManifest.IsComplete(folder) : Directory.EnumerateFileSystemEntries(folder).Any();

    /// <summary>
    /// After a crash: puts the complete copy of <paramref name="path"/> back in place (from <c>.old</c> or a
    /// complete temp folder) and deletes the leftovers of interrupted saves. Returns the folder, or null.
    /// </summary>
    public static string? Recover(string path)
    {
        string full = Path.GetFullPath(path);
        string? good = ResolveDirectory(full);
        if (good is not null && good != full)
        {
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(good, full);
            good = full;
        }
        if (good is not null && Directory.Exists(full + ".old")) Directory.Delete(full + ".old", recursive: true);
        string parent = Path.GetDirectoryName(full)!;
        if (Directory.Exists(parent))
            foreach (string stale in Directory.GetDirectories(parent, $".{Path.GetFileName(full)}.*.tmp")) Directory.Delete(stale, recursive: true);
        return good;
    }
}
