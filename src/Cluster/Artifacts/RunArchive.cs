using System.IO.Compression;
using System.Security.Cryptography;
using DeepRL.Agents.Training;

namespace DeepRL.Cluster.Artifacts;

/// <summary>
/// A run folder as one file to ship: a zip of its files with only complete checkpoints (those
/// <see cref="AtomicFile.ResolveDirectory"/> accepts), so a snapshot taken while the cell is saving one is still
/// consistent. The receiver verifies every checkpoint's manifest after unpacking and swaps the folder in atomically.
/// </summary>
public static class RunArchive
{
    /// <summary>A zip entry that carries the cell's training log beside its run folder.</summary>
    public const string LogEntry = "_cell.log";

    /// <summary>Zips <paramref name="runFolder"/> (and the log, if given) into a temp file; returns it with its SHA-256.</summary>
    public static (string Path, byte[] Sha256) Pack(string runFolder, string? logFile = null)
    {
        string zip = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"deeprl-artifact-{Guid.NewGuid():N}.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (string file in Directory.EnumerateFiles(runFolder))
                Add(archive, file, System.IO.Path.GetFileName(file));
            string checkpoints = System.IO.Path.Combine(runFolder, "checkpoints");
            if (Directory.Exists(checkpoints))
            {
                // Each named checkpoint once, from its complete copy (a save in progress leaves .old / .tmp folders).
                var names = Directory.EnumerateDirectories(checkpoints).Select(d => System.IO.Path.GetFileName(d)!)
                    .Where(n => !n.StartsWith('.') && !n.EndsWith(".old", StringComparison.Ordinal)).ToList();
                foreach (string name in names)
                {
                    if (AtomicFile.ResolveDirectory(System.IO.Path.Combine(checkpoints, name)) is not { } complete) continue;
                    foreach (string file in Directory.EnumerateFiles(complete))
                        Add(archive, file, $"checkpoints/{name}/{System.IO.Path.GetFileName(file)}");
                }
            }
            if (logFile is not null && File.Exists(logFile)) Add(archive, logFile, LogEntry);
        }
        return (zip, Hash(zip));
    }

    /// <summary>
    /// Unpacks an archive into <paramref name="runFolder"/>, replacing what was there only once every checkpoint in it
    /// verifies; the log entry goes to <paramref name="logFile"/>. Throws <see cref="InvalidDataException"/> naming the problem.
    /// </summary>
    public static void Unpack(string zip, string runFolder, string? logFile = null)
    {
        string full = System.IO.Path.GetFullPath(runFolder);
        string parent = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string tmp = System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.incoming");
        try
        {
            using (var archive = ZipFile.OpenRead(zip))
            {
                long total = archive.Entries.Sum(e => e.Length);
                if (total > Protocol.Limits.ArtifactBytes) throw new InvalidDataException($"The archive unpacks to {total} bytes (at most {Protocol.Limits.ArtifactBytes}).");
                foreach (var entry in archive.Entries)
                {
                    string target = System.IO.Path.GetFullPath(System.IO.Path.Combine(tmp, entry.FullName));
                    if (!target.StartsWith(tmp + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        throw new InvalidDataException($"The archive entry '{entry.FullName}' points outside the run folder.");
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                    entry.ExtractToFile(target);
                }
            }
            string log = System.IO.Path.Combine(tmp, LogEntry);
            if (File.Exists(log))
            {
                if (logFile is not null)
                {
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(logFile))!);
                    File.Move(log, logFile, overwrite: true);
                }
                else File.Delete(log);
            }
            string checkpoints = System.IO.Path.Combine(tmp, "checkpoints");
            if (Directory.Exists(checkpoints))
            {
                foreach (string folder in Directory.GetDirectories(checkpoints)) CheckpointManifest.Verify(folder);
            }
            string old = full + ".replaced";
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
            if (Directory.Exists(full)) Directory.Move(full, old);
            Directory.Move(tmp, full);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
        catch (InvalidDataException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Could not unpack the run archive into {runFolder}: {ex.Message}", ex);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    public static byte[] Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return SHA256.HashData(stream);
    }

    private static void Add(ZipArchive archive, string file, string entryName)
    {
        try
        {
            // The cell may be appending to its metrics while it is packed: share the file, take what is there.
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var target = archive.CreateEntry(entryName, CompressionLevel.Fastest).Open();
            source.CopyTo(target);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Replaced between listing and reading (an atomic save): the receiver's manifest check decides.
        }
    }
}
