using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Microsoft.Extensions.Logging;
using DeepRL.Cluster.Protocol;

namespace DeepRL.Cluster;

/// <summary>The Akka configuration of a DeepRL member, built from <see cref="ClusterOptions"/>.</summary>
public static class ClusterConfig
{
    /// <summary>The actor system's name: members of one cluster share it.</summary>
    public const string SystemName = "deeprl";

    public const string NodeRole = "node";

    public const string CoordinatorRole = "coordinator";

    /// <summary>An IMPALA learner (<c>deeprl train --algo impala --cluster</c>): nodes run actors for it.</summary>
    public const string LearnerRole = "learner";

    /// <summary>
    /// Creates a member's actor system. With a TLS certificate every connection is TLS, both ends present the certificate,
    /// and a peer is accepted only if its certificate is this one (pinned by thumbprint): the chain of a self-signed
    /// certificate cannot be validated, and pinning is stricter than a chain anyway.
    /// </summary>
    public static ActorSystem CreateSystem(ClusterOptions options, string role, ILogger log)
    {
        AkkaLogBridge.LogTo(log);
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(For(options, role)));
        if (options.TlsCertificate is { } certificate)
            setup = setup.And(new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true,
                validateCertificateHostname: false, CertificateValidation.PinnedCertificate(certificate.Thumbprint)));
        return ActorSystem.Create(SystemName, setup);
    }

    public static Config For(ClusterOptions options, string role)
    {
        string seeds = string.Join(", ", Seeds(options).Select(a => $"\"{a}\""));
        string host = Hocon(options.Host.Trim('[', ']'));
        // Failure detection and downing are Akka's: the phi-accrual detector marks a silent member unreachable after the
        // heartbeat pause, and the split-brain resolver downs it once the membership has been stable for DownAfter.
        // keep-oldest with down-if-alone: a crashed member is downed whatever its age or the cluster's size (a tie in a
        // two-member cluster cannot down the survivor, as keep-majority's lowest-address rule could).
        // The scheduler ticks every 100 ms instead of 10: our timers are seconds long, and each tick wakes the thread pool
        // of a member that shares its machine with training processes.
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = OFF
              scheduler.tick-duration = 100ms
              loggers = ["{{typeof(AkkaLogBridge).FullName}}, {{typeof(AkkaLogBridge).Assembly.GetName().Name}}"]
              actor {
                provider = cluster
                serializers { deeprl = "{{typeof(MessagePackAkkaSerializer).AssemblyQualifiedName}}" }
                serialization-bindings { "{{typeof(IDeepRlMessage).FullName}}, {{typeof(IDeepRlMessage).Assembly.GetName().Name}}" = deeprl }
              }
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = {{host}}
                  port = {{options.Port}}
                  maximum-frame-size = {{Limits.ChunkBytes * 2}}b
                  enable-ssl = {{(options.TlsCertificate is null ? "off" : "on")}}
                }
              }
              cluster {
                roles = [{{role}}]
                seed-nodes = [{{seeds}}]
                min-nr-of-members = 1
                log-info = off
                failure-detector {
                  heartbeat-interval = 1s
                  acceptable-heartbeat-pause = 3s
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-oldest
                  stable-after = {{(int)options.DownAfter.TotalMilliseconds}}ms
                  keep-oldest.down-if-alone = on
                }
                run-coordinated-shutdown-when-down = on
              }
              coordinated-shutdown {
                exit-clr = off
                run-by-clr-shutdown-hook = off
              }
            }
            """);
    }

    /// <summary>The Akka addresses of the members to join (akka.ssl.tcp with TLS: the protocol is part of the address).</summary>
    public static IReadOnlyList<Address> Seeds(ClusterOptions options) => options.Join.Select(j =>
    {
        var (host, port) = ClusterOptions.ParseEndpoint(j);
        string protocol = options.TlsCertificate is null ? "akka.tcp" : "akka.ssl.tcp";
        return Address.Parse($"{protocol}://{SystemName}@{(host.Contains(':') ? $"[{host}]" : host)}:{port}");
    }).ToList();

    private static string Hocon(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
