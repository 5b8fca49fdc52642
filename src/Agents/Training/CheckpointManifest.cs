using System.Security.Cryptography;
using System.Text.Json;

namespace DeepRL.Agents.Training;

/// <summary>
/// <c>manifest.json</c> in every checkpoint folder: the size and SHA-256 of each file, written last (after the
/// files are flushed), so a folder with a valid manifest is complete, and a flipped byte or a truncated file
/// is reported by name on load instead of silently loading damaged weights.
/// </summary>
public static class CheckpointManifest
{
    public const string FileName = "manifest.json";

    private sealed record Entry(long Size, string Sha256);

    /// <summary>Flushes every file of <paramref name="folder"/> to disk and writes their manifest.</summary>
    public static void Write(string folder)
    {
        var entries = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(folder))
        {
            string name = Path.GetFileName(path);
            if (name == FileName) continue;
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)) fs.Flush(flushToDisk: true);
            entries[name] = new Entry(new FileInfo(path).Length, Hash(path));
        }
        string manifest = Path.Combine(folder, FileName);
        File.WriteAllText(manifest, JsonSerializer.Serialize(entries, new JsonSerializerOptions { WriteIndented = true }));
        using (var fs = new FileStream(manifest, FileMode.Open, FileAccess.ReadWrite)) fs.Flush(flushToDisk: true);
    }

    /// <summary>True when the folder has a manifest and every file in it matches (no exception).</summary>
    public static bool IsComplete(string folder) => Problem(folder) is null && File.Exists(Path.Combine(folder, FileName));

    /// <summary>Throws <see cref="InvalidDataException"/> naming the damaged file. Folders from before manifests pass unchecked.</summary>
    public static void Verify(string folder)
    {
        if (Problem(folder) is { } problem) throw new InvalidDataException(problem);
    }

    private static string? Problem(string folder)
    {
        string manifest = Path.Combine(folder, FileName);
        if (!File.Exists(manifest)) return null;
        Dictionary<string, Entry>? entries;
        try
        {
            entries = JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(manifest));
        }
        catch (JsonException ex)
        {
            return $"Checkpoint manifest '{manifest}' is corrupt: {ex.Message}";
        }
        if (entries is null) return $"Checkpoint manifest '{manifest}' is empty.";
        foreach (var (name, entry) in entries)
        {
            string path = Path.Combine(folder, name);
            if (entry is null) return $"Checkpoint manifest '{manifest}' has no size and checksum for '{name}'.";
            if (!File.Exists(path)) return $"Checkpoint file '{path}' is missing (listed in its manifest).";
            long size = new FileInfo(path).Length;
            if (size != entry.Size) return $"Checkpoint file '{path}' is corrupt: {size} bytes, but {entry.Size} were saved.";
            if (!string.Equals(Hash(path), entry.Sha256, StringComparison.OrdinalIgnoreCase))
                return $"Checkpoint file '{path}' is corrupt: its SHA-256 differs from the one recorded when it was saved.";
        }
        return null;
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
