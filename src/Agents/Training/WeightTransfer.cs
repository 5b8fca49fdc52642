using System.Security.Cryptography;
using DeepRL.Agents.Export;
using DeepRL.Agents.Torch;
using DeepRL.Environments;
using TorchSharp;
using static TorchSharp.torch;

namespace DeepRL.Agents.Training;

/// <summary>
/// Copies another run's network weights into a new agent (<see cref="InitFrom"/>). Parameters are matched by name and
/// shape: with <c>layers: all</c> the two networks must be the same architecture (PPO → PPO, A2C ↔ A3C, DQN → DQN; any
/// env with the same observation and action shapes); with <c>layers: torso</c> only the feature extractor (the MLP or
/// CNN before any memory and heads) is taken, so the action count may differ and an actor-critic's torso can seed
/// a Q-network's. A mismatch is refused naming the layer and both shapes; nothing is copied then.
/// </summary>
public static class WeightTransfer
{
    // The feature extractors' module names: an actor-critic's (and its separate critic's) and a Q-network's.
    private const string ActorTorso = "actorTorso.", CriticTorso = "criticTorso.", QTorso = "torso.";

    /// <summary>The network transfer learning reads and writes.</summary>
    public static nn.Module NetworkOf(IAgent agent) =>
        (agent as IExportablePolicy)?.PolicyNetwork ?? throw new NotSupportedException($"{agent.Algo} agents do not support transfer learning.");

    /// <summary>True for a parameter of the feature extractor.</summary>
    public static bool IsTorso(string name) => name.StartsWith(ActorTorso, StringComparison.Ordinal) ||
                                               name.StartsWith(CriticTorso, StringComparison.Ordinal) ||
                                               name.StartsWith(QTorso, StringComparison.Ordinal);

    /// <summary>
    /// Loads the source checkpoint, copies the requested layers into <paramref name="target"/> and returns the request
    /// with its provenance filled in. The source env must be known to <paramref name="registry"/> (its spaces rebuild
    /// the source network).
    /// </summary>
    public static InitFrom Apply(IAgent target, InitFrom request, EnvRegistry registry)
    {
        request.Validated();
        var dir = RunDirectory.Open(request.Run);
        var options = RunStore.ReadOptions(dir);
        string name = request.Checkpoint ?? RunStore.RecommendedCheckpoint(dir);
        string folder = RunStore.CheckpointFolder(dir, name);
        if (!registry.Contains(options.EnvId))
            throw new ArgumentException($"--init-from {request.Run}: its environment {options.EnvId} is not registered here; load its plugin (--env-assembly).");
        var (source, _) = AgentCatalog.Load(options with { Device = "cpu", InitFrom = null }, registry, folder, CPU, includeTrainingState: false);
        using (source)
        {
            int copied = Copy(NetworkOf(source), NetworkOf(target), request.Layers, $"{request.Run} ({name})");
            target.WeightsReplaced();
            return request with
            {
                Checkpoint = name,
                SourceAlgo = options.Algo,
                SourceEnv = options.EnvId,
                SourceStep = RunStore.CheckpointStep(folder),
                ModelSha256 = Sha256(Path.Combine(folder, "model.pt")),
                TensorsCopied = copied,
            };
        }
    }

    /// <summary>Keeps the feature extractor fixed: its parameters stop requiring gradients, so no optimizer step moves them.</summary>
    public static void FreezeTorso(IAgent agent)
    {
        int frozen = 0;
        foreach (var (name, p) in NetworkOf(agent).named_parameters())
        {
            if (!IsTorso(name)) continue;
            p.requires_grad_(false);
            frozen++;
        }
        if (frozen == 0) throw new NotSupportedException($"The {agent.Algo} network has no feature extractor to freeze.");
    }

    /// <summary>Copies <paramref name="layers"/> (all or torso) of <paramref name="source"/> into <paramref name="target"/>; returns the tensors copied.</summary>
    public static int Copy(nn.Module source, nn.Module target, string layers, string sourceName)
    {
        var from = source.named_parameters().ToDictionary(p => Key(p.name, layers), p => p.parameter);
        var pairs = new List<(Tensor From, Tensor To)>();
        foreach (var (name, to) in target.named_parameters())
        {
            if (layers == InitFrom.Torso && !IsTorso(name)) continue;
            string key = Key(name, layers);
            // A separate critic torso takes the source's critic torso, or its only torso when it had one for both.
            if (!from.TryGetValue(key, out var tensor) && !(key.StartsWith("critic:", StringComparison.Ordinal) && from.TryGetValue("feature:" + key[7..], out tensor)))
                throw new ArgumentException($"Cannot initialise from {sourceName}: layer {name} {Shape(to)} has no counterpart in the source network " +
                                            $"(its layers: {string.Join(", ", source.named_parameters().Select(p => p.name))}). " +
                                            (layers == InitFrom.All ? "Use --init-layers torso to take only the feature extractor." : "The feature extractors differ."));
            if (!tensor.shape.SequenceEqual(to.shape))
                throw new ArgumentException($"Cannot initialise from {sourceName}: layer {name} is {Shape(tensor)} there and {Shape(to)} here. " +
                                            (layers == InitFrom.All && !IsTorso(name)
                                                ? "Use --init-layers torso to take only the feature extractor (the heads then start fresh)."
                                                : "The observation shapes or network sizes (net_arch) differ; transfer needs the same feature extractor."));
            pairs.Add((tensor, to));
        }
        if (layers == InitFrom.All)
        {
            var targetNames = target.named_parameters().Select(p => p.name).ToHashSet();
            var extra = source.named_parameters().Select(p => p.name).Where(n => !targetNames.Contains(n)).ToList();
            if (extra.Count > 0)
                throw new ArgumentException($"Cannot initialise from {sourceName}: its layers {string.Join(", ", extra)} have no counterpart here " +
                                            "(a different architecture); use --init-layers torso to take only the feature extractor.");
        }
        using var _ = no_grad();
        foreach (var (fromTensor, to) in pairs) to.copy_(fromTensor);
        return pairs.Count;
    }

    // With layers: torso an actor-critic's and a Q-network's extractors line up under one key.
    private static string Key(string name, string layers)
    {
        if (layers != InitFrom.Torso) return name;
        if (name.StartsWith(CriticTorso, StringComparison.Ordinal)) return "critic:" + name[CriticTorso.Length..];
        if (name.StartsWith(ActorTorso, StringComparison.Ordinal)) return "feature:" + name[ActorTorso.Length..];
        if (name.StartsWith(QTorso, StringComparison.Ordinal)) return "feature:" + name[QTorso.Length..];
        return name;
    }

    private static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
