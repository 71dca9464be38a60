using System.Security.Cryptography;
using System.Text;

namespace Bifrost.Domain.Agent;

/// <summary>
/// The one-time agent token (docs/agent-protocol.md §1): 32 random bytes, base64url without padding, given to the
/// agent once; only its SHA-256 is stored, and a presented token is compared to it in constant time.
/// </summary>
public static class AgentToken
{
    /// <summary>What every later lookup shows instead of the token.</summary>
    public const string Mask = "******";

    /// <summary>A fresh token and the lower-case hex SHA-256 to store.</summary>
    public static (string Token, string Sha256) Create()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>True when <paramref name="presented"/> hashes to <paramref name="storedSha256"/>; constant time in
    /// the digest comparison, so timing reveals nothing about the stored hash.</summary>
    public static bool Matches(string? presented, string? storedSha256)
    {
        if (presented is null || storedSha256 is null || storedSha256.Length != 64) return false;
        Span<byte> expected = stackalloc byte[32];
        if (Convert.FromHexString(storedSha256, expected, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != 32) return false;
        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
