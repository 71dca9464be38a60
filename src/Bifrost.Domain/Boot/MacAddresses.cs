using System.Globalization;

namespace Bifrost.Domain.Boot;

/// <summary>MAC addresses as people and firmware spell them, normalised to the stored form aa:bb:cc:dd:ee:ff.</summary>
public static class MacAddresses
{
    /// <summary>
    /// Accepts <c>aa:bb:cc:dd:ee:ff</c>, <c>aa-bb-cc-dd-ee-ff</c>, <c>aabbccddeeff</c>, Cisco's <c>aabb.ccdd.eeff</c>
    /// and pxelinux's <c>01-aa-bb-cc-dd-ee-ff</c> (ARP hardware type 1 first), in any case.
    /// </summary>
    public static bool TryNormalise(string? text, out string mac)
    {
        mac = "";
        if (text is null) return false;
        var hex = new char[12];
        var n = 0;
        foreach (var c in text.Trim())
        {
            if (c is ':' or '-' or '.') continue;
            if (!char.IsAsciiHexDigit(c)) return false;
            if (n == 14) return false;
            if (n < 12) hex[n] = char.ToLowerInvariant(c);
            n++;
        }
        if (n == 14)
        {
            // pxelinux spelling: "01" (Ethernet) then the six octets.
            var t = text.Trim();
            if (!t.StartsWith("01", StringComparison.Ordinal) || t.Length < 3 || t[2] is not ('-' or ':')) return false;
            return TryNormalise(t[3..], out mac);
        }
        if (n != 12) return false;
        mac = string.Create(CultureInfo.InvariantCulture,
            $"{hex[0]}{hex[1]}:{hex[2]}{hex[3]}:{hex[4]}{hex[5]}:{hex[6]}{hex[7]}:{hex[8]}{hex[9]}:{hex[10]}{hex[11]}");
        return true;
    }
}
