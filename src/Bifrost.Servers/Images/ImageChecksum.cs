using System.Text.Json.Nodes;

namespace Bifrost.Servers.Images;

/// <summary>
/// The checksum a deploy must match, read from instance_info the way Ironic takes it: <c>image_os_hash_algo</c> +
/// <c>image_os_hash_value</c> (Glance's multihash; preferred when present), else <c>image_checksum</c> as bare hex
/// (md5 by its 32 digits, as Ironic's legacy field; 64 and 128 digits taken as sha256 and sha512) or <c>algo:hex</c>.
/// Pure: no I/O.
/// </summary>
public sealed record ImageChecksum(string Algorithm, string Hex)
{
    public static readonly IReadOnlyList<string> Algorithms = ["md5", "sha256", "sha512"];

    /// <summary>Hex digits of each algorithm's digest.</summary>
    public static int HexLength(string algorithm) => algorithm switch
    {
        "md5" => 32,
        "sha256" => 64,
        "sha512" => 128,
        _ => 0,
    };

    /// <summary>False with an error for a malformed checksum; true with null when instance_info gives none.</summary>
    public static bool TryRead(JsonObject instanceInfo, out ImageChecksum? checksum, out string? error)
    {
        checksum = null;
        var algo = Text(instanceInfo, "image_os_hash_algo");
        var value = Text(instanceInfo, "image_os_hash_value");
        if (algo is not null || value is not null)
        {
            if (algo is null || value is null)
            {
                error = algo is null
                    ? "instance_info.image_os_hash_value is set but image_os_hash_algo is missing"
                    : "instance_info.image_os_hash_algo is set but image_os_hash_value is missing";
                return false;
            }
            return TryCreate(algo.ToLowerInvariant(), value, "image_os_hash_value", out checksum, out error);
        }

        var raw = Text(instanceInfo, "image_checksum");
        if (raw is null)
        {
            error = null;
            return true;
        }
        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) return TryCreate(raw[..colon].Trim().ToLowerInvariant(), raw[(colon + 1)..], "image_checksum", out checksum, out error);
        var byLength = raw.Trim().Length switch { 32 => "md5", 64 => "sha256", 128 => "sha512", _ => null };
        if (byLength is null)
        {
            error = $"instance_info.image_checksum '{Shorten(raw)}' is not a checksum: expected 32 (md5), 64 (sha256) or 128 (sha512) hex digits, or algo:hex";
            return false;
        }
        return TryCreate(byLength, raw, "image_checksum", out checksum, out error);
    }

    private static bool TryCreate(string algorithm, string hex, string field, out ImageChecksum? checksum, out string? error)
    {
        checksum = null;
        hex = hex.Trim();
        var expected = HexLength(algorithm);
        if (expected == 0)
        {
            error = $"checksum algorithm '{Shorten(algorithm)}' is not supported (md5, sha256 or sha512)";
            return false;
        }
        if (hex.Length != expected || !hex.All(Uri.IsHexDigit))
        {
            error = $"instance_info.{field} '{Shorten(hex)}' is not a {algorithm} digest ({expected} hex digits)";
            return false;
        }
        checksum = new ImageChecksum(algorithm, hex.ToLowerInvariant());
        error = null;
        return true;
    }

    /// <summary>A string value, or null when absent, JSON null or empty. A non-string (a number) is read as its text.</summary>
    internal static string? Text(JsonObject info, string key) =>
        info[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => string.IsNullOrWhiteSpace(s) ? null : s,
            var other => other.ToJsonString(),
        };

    private static string Shorten(string s) => s.Length <= 140 ? s : s[..140] + "…";

    public override string ToString() => $"{Algorithm} {Hex}";
}
