using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace DeepRL.Cluster;

/// <summary>How a member (node or coordinator) joins the DeepRL cluster.</summary>
public sealed record ClusterOptions
{
    /// <summary>The address to listen on; loopback unless a secret is given.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 picks a free one (printed once bound).</summary>
    public int Port { get; init; }

    /// <summary>Members to join, as HOST:PORT; none means this member starts a new cluster.</summary>
    public IReadOnlyList<string> Join { get; init; } = [];

    /// <summary>The shared secret (from <c>--secret-file</c>): members prove they hold it before any work is exchanged.</summary>
    public byte[]? Secret { get; init; }

    /// <summary>
    /// The certificate (with its private key) every member uses for TLS, from <c>--tls-cert</c>; null = plain TCP. All
    /// members use the same one and accept only it (pinned by thumbprint), so a self-signed certificate is enough.
    /// </summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>
    /// How long a member must stay unreachable before Akka's split-brain resolver downs it (its <c>stable-after</c>); with
    /// the failure detector's heartbeat pause this bounds the time from a crash to its cells being queued again.
    /// </summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming the problem and the fix.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"The port must be 0 to 65535, got {Port}.");
        if (!IsLoopback(Host) && Secret is null)
            throw new ArgumentException($"Listening on {Host} (not loopback) needs a shared secret: give --secret-file FILE (the same file on every member).");
        if (Secret is { Length: < 16 })
            throw new ArgumentException($"The secret has {Secret.Length} bytes; use at least 16 (e.g. `head -c 32 /dev/urandom | base64 > secret`).");
        if (DownAfter < TimeSpan.FromSeconds(1) || DownAfter > TimeSpan.FromMinutes(30))
            throw new ArgumentException($"down-after must be 1 s to 30 min, got {DownAfter.TotalSeconds} s.");
        foreach (var seed in Join) _ = ParseEndpoint(seed);
        if (TlsCertificate is { HasPrivateKey: false })
            throw new ArgumentException($"The TLS certificate {TlsCertificate.Subject} has no private key: give the PKCS#12 (.pfx) file that holds both.");
    }

    public static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Parses HOST:PORT (IPv6 as [::1]:PORT); port 0 ("any free port") only where <paramref name="anyPort"/> allows it.</summary>
    public static (string Host, int Port) ParseEndpoint(string endpoint, bool anyPort = false)
    {
        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port > 65535 || (port == 0 && !anyPort))
            throw new ArgumentException($"'{endpoint}' is not HOST:PORT (e.g. 127.0.0.1:4053 or [::1]:4053).");
        return (endpoint[..colon].Trim('[', ']'), port);
    }
}
