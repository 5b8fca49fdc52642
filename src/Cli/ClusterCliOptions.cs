using System.CommandLine;
using System.Globalization;
using DeepRL.Cluster;

namespace DeepRL.Cli;

/// <summary>The options every cluster member takes (<c>deeprl node</c>, <c>deeprl benchmark --cluster</c>).</summary>
public static class ClusterCliOptions
{
    public static Option<string> Listen(string defaultEndpoint) => new("--listen")
    {
        Description = "HOST:PORT to listen on (port 0 picks a free one); an address other than loopback needs --secret-file",
        DefaultValueFactory = _ => defaultEndpoint,
    };

    public static Option<string?> SecretFile() => new("--secret-file")
    {
        Description = "File with the cluster's shared secret (the same file on every member; required off loopback)",
    };

    public static Option<double> DownAfter() => new("--down-after")
    {
        Description = "Seconds a silent member stays unreachable before it is removed and its cells resume elsewhere (default 10)",
        DefaultValueFactory = _ => 10,
    };

    /// <summary>Reads the options into <see cref="ClusterOptions"/>; bad values become <see cref="CliException"/>s naming the fix.</summary>
    public static ClusterOptions Read(string listen, IReadOnlyList<string> join, string? secretFile, double downAfter)
    {
        try
        {
            var (host, port) = ParseListen(listen);
            byte[]? secret = null;
            if (secretFile is not null)
            {
                if (!File.Exists(secretFile)) throw new CliException($"The secret file '{secretFile}' does not exist; create it (e.g. `head -c 32 /dev/urandom | base64 > {secretFile}`) and copy it to every member.");
                secret = File.ReadAllBytes(secretFile).AsSpan().Trim("\r\n "u8).ToArray();
            }
            var options = new ClusterOptions { Host = host, Port = port, Join = join.ToList(), Secret = secret, DownAfter = TimeSpan.FromSeconds(downAfter) };
            options.Validate();
            return options;
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    private static (string Host, int Port) ParseListen(string listen)
    {
        int colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new CliException($"--listen '{listen}' is not HOST:PORT (e.g. 127.0.0.1:4053, or 127.0.0.1:0 for any free port).");
        return (listen[..colon].Trim('[', ']'), port);
    }
}
