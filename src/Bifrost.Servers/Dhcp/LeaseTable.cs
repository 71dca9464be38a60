using System.Buffers.Binary;
using System.Net;
using Bifrost.Domain.Store;
using Bifrost.Domain.Timeline;

namespace Bifrost.Servers.Dhcp;

/// <summary>
/// The DHCP server's bindings, in memory (the store is written behind through <see cref="Changed"/>). A MAC keeps
/// its address after its lease expires or is released, so every DHCP round of a boot (PXE ROM, iPXE, kernel,
/// userspace) and every later boot gets the same address; an expired binding is only taken over when the pool has no
/// never-used address left (oldest first). Thread-safe; time comes from the caller.
/// </summary>
public sealed class LeaseTable : IAddressBook
{
    /// <summary>How long an offered address is held for the client's REQUEST.</summary>
    public static readonly TimeSpan OfferHold = TimeSpan.FromSeconds(60);
    /// <summary>How long a declined address stays out of the pool (RFC 2131 §4.3.3 leaves it to the server).</summary>
    public static readonly TimeSpan DeclineHold = TimeSpan.FromMinutes(10);

    private readonly object _gate = new();
    private readonly uint _first, _last;
    private readonly Dictionary<uint, Binding> _byAddress = [];
    private readonly Dictionary<string, Binding> _byMac = new(StringComparer.Ordinal);
    private uint _cursor;

    public LeaseTable(IPAddress first, IPAddress last)
    {
        _first = ToUInt(first);
        _last = ToUInt(last);
        if (_last < _first) throw new ArgumentException($"range end {last} is before its start {first}", nameof(last));
        _cursor = _first;
    }

    /// <summary>Raised (under no lock) after a committed change: the server persists it.</summary>
    public event Action<DhcpLease>? Changed;

    public int Size => (int)Math.Min(int.MaxValue, (long)_last - _first + 1);

    public bool InRange(IPAddress address) => ToUInt(address) is var a && a >= _first && a <= _last;

    /// <summary>Restores bindings from the store (at start).</summary>
    public void Load(IEnumerable<DhcpLease> leases)
    {
        lock (_gate)
        {
            foreach (var lease in leases)
            {
                if (!IPAddress.TryParse(lease.Address, out var ip) || !InRange(ip)) continue;
                var b = new Binding(ToUInt(ip), lease.Mac, lease.ExpiresAt, lease.Declined, true);
                _byAddress[b.Address] = b;
                if (b.Mac.Length > 0) _byMac[b.Mac] = b;
            }
        }
    }

    /// <summary>
    /// The address to offer <paramref name="mac"/>: its own binding, else the requested address when free, else a
    /// never-used pool address, else the longest-expired binding. Null when the pool is exhausted.
    /// </summary>
    public IPAddress? Offer(string mac, IPAddress? requested, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_byMac.TryGetValue(mac, out var own))
            {
                if (own.Expires < now + OfferHold) own.Expires = now + OfferHold;
                return ToAddress(own.Address);
            }
            uint? pick = null;
            if (requested is not null && requested.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                && InRange(requested) && IsFree(ToUInt(requested), now, allowExpired: false))
                pick = ToUInt(requested);
            pick ??= NextUnused() ?? OldestExpired(now);
            if (pick is not { } address) return null;
            Take(address, mac, now + OfferHold, committed: false);
            return ToAddress(address);
        }
    }

    /// <summary>
    /// Binds <paramref name="address"/> to <paramref name="mac"/> until now + <paramref name="leaseTime"/> (ACK).
    /// Null (NAK) when the address is outside the pool, declined, or another MAC's unexpired binding.
    /// </summary>
    public DhcpLease? Commit(string mac, IPAddress address, TimeSpan leaseTime, DateTimeOffset now, string? hostname = null)
    {
        DhcpLease lease;
        lock (_gate)
        {
            if (!InRange(address)) return null;
            var a = ToUInt(address);
            if (_byAddress.TryGetValue(a, out var existing) && existing.Mac != mac && !IsFree(a, now, allowExpired: true))
                return null;
            Take(a, mac, now + leaseTime, committed: true);
            lease = Snapshot(_byAddress[a], hostname, now);
        }
        Changed?.Invoke(lease);
        return lease;
    }

    /// <summary>RFC 2131 §4.3.4 RELEASE: the lease ends now; the binding stays for the MAC's next boot.</summary>
    public bool Release(string mac, IPAddress address, DateTimeOffset now)
    {
        DhcpLease lease;
        lock (_gate)
        {
            if (!_byMac.TryGetValue(mac, out var b) || b.Address != ToUInt(address)) return false;
            b.Expires = now;
            lease = Snapshot(b, null, now);
        }
        Changed?.Invoke(lease);
        return true;
    }

    /// <summary>RFC 2131 §4.3.3 DECLINE: the address is in use by someone else; keep it out of the pool for a while.</summary>
    public bool Decline(string mac, IPAddress address, DateTimeOffset now)
    {
        DhcpLease lease;
        lock (_gate)
        {
            if (!InRange(address)) return false;
            var a = ToUInt(address);
            if (_byAddress.TryGetValue(a, out var b) && b.Mac != mac && b.Mac.Length > 0) return false;
            if (_byMac.TryGetValue(mac, out var own) && own.Address == a) _byMac.Remove(mac);
            var declined = new Binding(a, "", now + DeclineHold, Declined: true, Committed: true);
            _byAddress[a] = declined;
            lease = Snapshot(declined, null, now);
        }
        Changed?.Invoke(lease);
        return true;
    }

    /// <summary>The address bound to <paramref name="mac"/> (leased, offered or expired), or null.</summary>
    public IPAddress? AddressOf(string mac)
    {
        lock (_gate) return _byMac.TryGetValue(mac, out var b) ? ToAddress(b.Address) : null;
    }

    public string? MacFor(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return null;
        lock (_gate) return _byAddress.TryGetValue(ToUInt(address), out var b) && b.Mac.Length > 0 ? b.Mac : null;
    }

    /// <summary>Committed, unexpired, not declined leases.</summary>
    public int ActiveCount(DateTimeOffset now)
    {
        lock (_gate) return _byAddress.Values.Count(b => b.Committed && !b.Declined && b.Expires > now);
    }

    private bool IsFree(uint address, DateTimeOffset now, bool allowExpired)
    {
        if (!_byAddress.TryGetValue(address, out var b)) return true;
        if (b.Declined) return b.Expires <= now;
        return allowExpired && b.Expires <= now;
    }

    private uint? NextUnused()
    {
        var size = (long)_last - _first + 1;
        for (long i = 0; i < size; i++)
        {
            var a = _cursor;
            _cursor = _cursor == _last ? _first : _cursor + 1;
            if (!_byAddress.ContainsKey(a)) return a;
        }
        return null;
    }

    private uint? OldestExpired(DateTimeOffset now)
    {
        Binding? oldest = null;
        foreach (var b in _byAddress.Values)
            if (b.Expires <= now && (oldest is null || b.Expires < oldest.Expires)) oldest = b;
        return oldest?.Address;
    }

    private void Take(uint address, string mac, DateTimeOffset expires, bool committed)
    {
        if (_byAddress.TryGetValue(address, out var previous) && previous.Mac.Length > 0 && previous.Mac != mac)
            _byMac.Remove(previous.Mac);
        if (_byMac.TryGetValue(mac, out var old) && old.Address != address) _byAddress.Remove(old.Address);
        var b = new Binding(address, mac, expires, Declined: false, committed);
        _byAddress[address] = b;
        _byMac[mac] = b;
    }

    private static DhcpLease Snapshot(Binding b, string? hostname, DateTimeOffset now) => new()
    {
        Address = ToAddress(b.Address).ToString(),
        Mac = b.Mac,
        ExpiresAt = b.Expires,
        Declined = b.Declined,
        Hostname = hostname,
        UpdatedAt = now,
    };

    internal static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out var n) && n == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : 0;
    }

    internal static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private sealed class Binding(uint Address, string Mac, DateTimeOffset Expires, bool Declined, bool Committed)
    {
        public uint Address { get; } = Address;
        public string Mac { get; } = Mac;
        public DateTimeOffset Expires { get; set; } = Expires;
        public bool Declined { get; } = Declined;
        public bool Committed { get; set; } = Committed;
    }
}
