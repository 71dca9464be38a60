using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Bifrost.Domain.Nodes;

/// <summary>Rules for node names and MAC addresses, as Ironic applies them.</summary>
public static partial class Identifiers
{
    /// <summary>
    /// Ironic accepts host-name-like names (RFC 3986 unreserved characters: letters, digits, '-', '.', '_', '~')
    /// that are not UUIDs, at most 255 characters.
    /// </summary>
    public static bool IsValidNodeName(string? name) =>
        name is { Length: > 0 and <= 255 } && NamePattern().IsMatch(name) && !Guid.TryParse(name, out _);

    /// <summary>Accepts aa:bb:cc:dd:ee:ff (any case, ':' or '-'); returns the lowercase ':' form.</summary>
    public static bool TryNormalizeMac(string? value, [NotNullWhen(true)] out string? mac)
    {
        mac = null;
        if (value is null || !MacPattern().IsMatch(value)) return false;
        mac = value.Replace('-', ':').ToLowerInvariant();
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9\\-._~]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}$")]
    private static partial Regex MacPattern();
}
