namespace Bifrost.Protocols.Dhcp;

/// <summary>
/// Sub-options inside one option value (code, length, data; no pad/end required): RFC 3046 §2.0 relay agent
/// information (82), PXE 2.1 §2.4 vendor options (43) and iPXE's encapsulated options (175).
/// </summary>
public static class EncapsulatedOptions
{
    /// <summary>iPXE 175.176 'no-pxedhcp': 1 = do not wait for ProxyDHCP offers (iPXE include/ipxe/dhcp.h DHCP_EB_NO_PXEDHCP).</summary>
    public const byte IpxeNoPxeDhcp = 176;
    /// <summary>PXE 2.1 §2.4 tag 6 PXE_DISCOVERY_CONTROL; bit 3 (8) = download the boot file named in the offer.</summary>
    public const byte PxeDiscoveryControl = 6;
    /// <summary>RFC 3046 §2.0 sub-options 1 (circuit id) and 2 (remote id).</summary>
    public const byte RelayCircuitId = 1, RelayRemoteId = 2;

    /// <summary>Encodes (code, data) pairs; each data at most 255 bytes.</summary>
    public static byte[] Encode(params (byte Code, byte[] Data)[] items)
    {
        var length = items.Sum(i => 2 /* code + length */ + i.Data.Length);
        var result = new byte[length];
        var at = 0;
        foreach (var (code, data) in items)
        {
            if (data.Length > 255) throw new ArgumentException($"sub-option {code} is longer than 255 bytes", nameof(items));
            result[at++] = code;
            result[at++] = (byte)data.Length;
            data.CopyTo(result, at);
            at += data.Length;
        }
        return result;
    }

    /// <summary>Decodes sub-options; false with an error when one runs past the value.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out List<(byte Code, byte[] Data)> items, out string? error)
    {
        items = [];
        var at = 0;
        while (at < value.Length)
        {
            if (at + 2 > value.Length || at + 2 + value[at + 1] > value.Length)
            {
                error = $"sub-option at offset {at} runs past the {value.Length}-byte option";
                return false;
            }
            items.Add((value[at], value.Slice(at + 2, value[at + 1]).ToArray()));
            at += 2 /* code + length */ + value[at + 1];
        }
        error = null;
        return true;
    }
}
