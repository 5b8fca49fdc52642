using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DeepRL.Cluster;

namespace DeepRL.Cli;

/// <summary>The options every cluster member takes (<c>deeprl node</c>, <c>deeprl benchmark --cluster</c>).</summary>
public sealed class ClusterCliOptions
{
    private readonly Option<string> _listen = new("--listen")
    {
        Description = "HOST:PORT to listen on (port 0 picks a free one); an address other than loopback needs --secret-file",
        DefaultValueFactory = _ => "127.0.0.1:0",
    };

    private readonly Option<string?> _secretFile = new("--secret-file")
    {
        Description = "File with the cluster's shared secret (the same file on every member; required off loopback)",
    };

    private readonly Option<double> _downAfter = new("--down-after")
    {
        Description = "Seconds a silent member stays unreachable before it is removed and its cells resume elsewhere (default 10)",
        DefaultValueFactory = _ => 10,
    };

    private readonly Option<string?> _tlsCert = new("--tls-cert")
    {
        Description = "PKCS#12 (.pfx) certificate with its key: encrypt all cluster traffic with TLS (the same file on every member)",
    };

    private readonly Option<string?> _tlsPasswordFile = new("--tls-password-file")
    {
        Description = "File with the password of the --tls-cert file (if it has one)",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _listen, _secretFile, _downAfter, _tlsCert, _tlsPasswordFile }) command.Options.Add(option);
    }

    /// <summary>Reads the options into <see cref="ClusterOptions"/>; bad values become <see cref="CliException"/>s naming the fix.</summary>
    public ClusterOptions Read(ParseResult parse, IReadOnlyList<string> join)
    {
        try
        {
            var (host, port) = ParseListen(parse.GetValue(_listen)!);
            byte[]? secret = null;
            if (parse.GetValue(_secretFile) is { } secretFile)
            {
                if (!File.Exists(secretFile)) throw new CliException($"The secret file '{secretFile}' does not exist; create it (e.g. `head -c 32 /dev/urandom | base64 > {secretFile}`) and copy it to every member.");
                secret = File.ReadAllBytes(secretFile).AsSpan().Trim("\r\n "u8).ToArray();
            }
            var options = new ClusterOptions
            {
                Host = host, Port = port, Join = join.ToList(), Secret = secret, DownAfter = TimeSpan.FromSeconds(parse.GetValue(_downAfter)),
                TlsCertificate = ReadCertificate(parse.GetValue(_tlsCert), parse.GetValue(_tlsPasswordFile)),
            };
            options.Validate();
            return options;
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    private static X509Certificate2? ReadCertificate(string? file, string? passwordFile)
    {
        if (file is null)
        {
            if (passwordFile is not null) throw new CliException("--tls-password-file is the password of a --tls-cert file: give --tls-cert too.");
            return null;
        }
        if (!File.Exists(file)) throw new CliException($"The TLS certificate '{file}' does not exist (docs/cluster.md shows how to make one).");
        if (passwordFile is not null && !File.Exists(passwordFile)) throw new CliException($"The TLS password file '{passwordFile}' does not exist.");
        string? password = passwordFile is null ? null : File.ReadAllText(passwordFile).TrimEnd('\r', '\n');
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(file, password);
        }
        catch (CryptographicException ex)
        {
            throw new CliException($"Cannot read the TLS certificate '{file}' ({ex.Message.TrimEnd('.')}): it must be a PKCS#12 (.pfx) file with its private key, and --tls-password-file must hold its password.");
        }
    }

    private static (string Host, int Port) ParseListen(string listen)
    {
        try
        {
            return ClusterOptions.ParseEndpoint(listen, anyPort: true);
        }
        catch (ArgumentException)
        {
            throw new CliException($"--listen '{listen}' is not HOST:PORT (e.g. 127.0.0.1:4053, or 127.0.0.1:0 for any free port).");
        }
    }
}
