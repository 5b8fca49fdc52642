using System.Security.Cryptography;
using DeepRL.Cluster.Protocol;

namespace DeepRL.Cluster.Artifacts;

/// <summary>
/// A node's plugin assemblies (<c>--env-assembly</c>), kept by content hash: <c>FOLDER/SHA256/NAME.dll</c>. A benchmark
/// names its plugins by hash, so a node fetches each one once, and two benchmarks with different builds of the same
/// plugin never mix them.
/// </summary>
public sealed class PluginCache(string folder)
{
    /// <summary>A plugin file by name and the hash of its contents.</summary>
    public static AssemblyRef Describe(string path)
    {
        using var file = File.OpenRead(path);
        return new AssemblyRef(Path.GetFileName(path), Convert.ToHexStringLower(SHA256.HashData(file)));
    }

    public string PathOf(AssemblyRef plugin) => Path.Combine(folder, plugin.Sha256, plugin.FileName);

    public bool Has(AssemblyRef plugin) => File.Exists(PathOf(plugin));

    /// <summary>Moves a received file whose SHA-256 has been verified into the cache (atomically: a rename).</summary>
    public void Store(AssemblyRef plugin, string verifiedFile)
    {
        string target = PathOf(plugin);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temp = target + $".{Guid.NewGuid():N}.tmp";
        File.Copy(verifiedFile, temp);
        File.Move(temp, target, overwrite: true);
    }
}
