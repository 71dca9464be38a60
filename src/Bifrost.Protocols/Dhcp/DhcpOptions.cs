using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Bifrost.Protocols.Dhcp;

/// <summary>
/// The options of one DHCP message, in first-seen order, each value already concatenated per RFC 3396 §5 (every
/// instance of a code, in the order options → file → sname, forms one value). Writing splits values longer than 255
/// bytes into consecutive instances (RFC 3396 §6).
/// </summary>
public sealed class DhcpOptions
{
    private readonly List<KeyValuePair<byte, byte[]>> _items = [];

    public int Count => _items.Count;

    public IEnumerable<KeyValuePair<byte, byte[]>> Items => _items;

    public bool Contains(byte code) => IndexOf(code) >= 0;

    /// <summary>The (concatenated) value of <paramref name="code"/>, or null when absent.</summary>
    public byte[]? Get(byte code) => IndexOf(code) is var i and >= 0 ? _items[i].Value : null;

    /// <summary>Sets (replaces) a value. An empty value is legal (e.g. rapid commit).</summary>
    public DhcpOptions Set(byte code, ReadOnlySpan<byte> value)
    {
        if (code is DhcpOptionCode.Pad or DhcpOptionCode.End)
            throw new ArgumentOutOfRangeException(nameof(code), "pad and end are not options with values");
        var i = IndexOf(code);
        if (i >= 0) _items[i] = new(code, value.ToArray());
        else _items.Add(new(code, value.ToArray()));
        return this;
    }

    public DhcpOptions Remove(byte code)
    {
        var i = IndexOf(code);
        if (i >= 0) _items.RemoveAt(i);
        return this;
    }

    /// <summary>Appends to a value (RFC 3396: a later instance continues the earlier one).</summary>
    internal void Append(byte code, ReadOnlySpan<byte> value)
    {
        var i = IndexOf(code);
        if (i < 0)
        {
            _items.Add(new(code, value.ToArray()));
            return;
        }
        var old = _items[i].Value;
        var joined = new byte[old.Length + value.Length];
        old.CopyTo(joined, 0);
        value.CopyTo(joined.AsSpan(old.Length));
        _items[i] = new(code, joined);
    }

    public DhcpOptions SetByte(byte code, byte value) => Set(code, [value]);

    public DhcpOptions SetUInt32(byte code, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return Set(code, b);
    }

    public DhcpOptions SetAddress(byte code, IPAddress address) => Set(code, address.GetAddressBytes());

    public DhcpOptions SetAddresses(byte code, IEnumerable<IPAddress> addresses) =>
        Set(code, addresses.SelectMany(a => a.GetAddressBytes()).ToArray());

    public DhcpOptions SetString(byte code, string value) => Set(code, Encoding.ASCII.GetBytes(value));

    public byte? GetByte(byte code) => Get(code) is [var b] ? b : null;

    public uint? GetUInt32(byte code) => Get(code) is { Length: 4 } v ? BinaryPrimitives.ReadUInt32BigEndian(v) : null;

    /// <summary>A single IPv4 address value, or null when absent or not 4 bytes long.</summary>
    public IPAddress? GetAddress(byte code) => Get(code) is { Length: 4 } v ? new IPAddress(v) : null;

    /// <summary>ASCII text with trailing NULs removed (some clients NUL-terminate), or null.</summary>
    public string? GetString(byte code) =>
        Get(code) is { } v ? Encoding.ASCII.GetString(v).TrimEnd('\0') : null;

    public DhcpMessageType? MessageType =>
        GetByte(DhcpOptionCode.MessageType) is { } t && Enum.IsDefined((DhcpMessageType)t) ? (DhcpMessageType)t : null;

    /// <summary>Bytes the options take on the wire, RFC 3396 splitting included, without the end option.</summary>
    public int GetEncodedLength()
    {
        var length = 0;
        foreach (var (_, value) in _items)
        {
            var instances = Math.Max(1, (value.Length + 254) / 255);
            length += instances * 2 /* code + length per instance */ + value.Length;
        }
        return length;
    }

    /// <summary>Writes every option (without the end option); values over 255 bytes become several instances.</summary>
    public int Write(Span<byte> destination)
    {
        var at = 0;
        foreach (var (code, value) in _items)
        {
            var rest = value.AsSpan();
            do
            {
                var chunk = Math.Min(255, rest.Length);
                destination[at++] = code;
                destination[at++] = (byte)chunk;
                rest[..chunk].CopyTo(destination[at..]);
                at += chunk;
                rest = rest[chunk..];
            } while (!rest.IsEmpty);
        }
        return at;
    }

    /// <summary>
    /// Parses one option region (the options field, or 'file'/'sname' when overloaded) into <paramref name="into"/>,
    /// concatenating repeated codes. Stops at the end option; a region without one is accepted (many clients pad to
    /// the end instead). False with an error when an option's length runs past the region.
    /// </summary>
    internal static bool TryReadRegion(ReadOnlySpan<byte> region, DhcpOptions into, out string? error)
    {
        var at = 0;
        while (at < region.Length)
        {
            var code = region[at];
            if (code == DhcpOptionCode.Pad) { at++; continue; }
            if (code == DhcpOptionCode.End) break;
            if (at + 1 >= region.Length)
            {
                error = $"option {code} at offset {at} has no length byte";
                return false;
            }
            int length = region[at + 1];
            if (at + 2 + length > region.Length)
            {
                error = $"option {code} at offset {at} claims {length} bytes, {region.Length - at - 2} remain";
                return false;
            }
            into.Append(code, region.Slice(at + 2, length));
            at += 2 /* code + length */ + length;
        }
        error = null;
        return true;
    }

    private int IndexOf(byte code)
    {
        for (var i = 0; i < _items.Count; i++)
            if (_items[i].Key == code) return i;
        return -1;
    }
}
