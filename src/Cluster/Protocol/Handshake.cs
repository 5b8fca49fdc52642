using System.Security.Cryptography;
using System.Text;

namespace DeepRL.Cluster.Protocol;

/// <summary>
/// The version check and mutual proof of the shared secret that open every node–coordinator conversation, before any
/// work or result is exchanged: each side sends a random nonce and answers the other's with HMAC-SHA256(secret, role ‖
/// nonce). Without a secret (loopback) the proofs are empty, and a member with a secret refuses one without.
/// </summary>
public static class Handshake
{
    /// <summary>DeepRL's cluster protocol version; members of different versions refuse each other by name.</summary>
    public const int ProtocolVersion = 1;

    public static byte[] Nonce() => RandomNumberGenerator.GetBytes(32);

    public static byte[] Proof(byte[]? secret, string role, byte[] nonce) =>
        secret is null ? [] : HMACSHA256.HashData(secret, (byte[])[.. Encoding.UTF8.GetBytes(role), .. nonce]);

    /// <summary>Null when <paramref name="proof"/> answers <paramref name="nonce"/>; else why it does not.</summary>
    public static string? Check(byte[]? secret, string role, byte[] nonce, byte[] proof)
    {
        if (secret is null)
            return proof.Length == 0 ? null : $"the {role} holds a secret and this member has none (give both the same --secret-file)";
        if (proof.Length == 0) return $"the {role} has no secret and this member requires one (give both the same --secret-file)";
        return CryptographicOperations.FixedTimeEquals(proof, Proof(secret, role, nonce)) ? null : $"the {role} does not hold this member's secret (the --secret-file contents differ)";
    }

    public static string? CheckVersion(int theirs, string role) =>
        theirs == ProtocolVersion ? null
            : $"the {role} speaks DeepRL cluster protocol {theirs} and this member speaks {ProtocolVersion}: run the same DeepRL version on every member";

    /// <summary>
    /// A node's answer to a challenge from <paramref name="peer"/> (a coordinator or a learner): its own proof, or — wrong
    /// version, or the peer does not hold the secret — a refusal, with <paramref name="problem"/> saying why.
    /// </summary>
    public static IDeepRlMessage Answer(CoordinatorChallenge challenge, byte[]? secret, byte[] nonce, string node, string peer, out string? problem)
    {
        problem = CheckVersion(challenge.Protocol, peer) ?? Check(secret, "coordinator", nonce, challenge.Proof);
        return problem is null ? new NodeProof(Proof(secret, "node", challenge.Nonce)) : new Refused($"node {node} refused the {peer}: {problem}");
    }
}
