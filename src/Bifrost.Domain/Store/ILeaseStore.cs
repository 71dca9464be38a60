namespace Bifrost.Domain.Store;

/// <summary>
/// One DHCP binding: the address a MAC holds (or last held). Kept after expiry or release so the same MAC gets the
/// same address back as long as nobody else took it. <see cref="Declined"/> marks an address a client reported in
/// use (RFC 2131 §4.3.3 DECLINE): it is kept out of the pool until <see cref="ExpiresAt"/>.
/// </summary>
public sealed record DhcpLease
{
    /// <summary>IPv4 address in dotted-quad text: the key.</summary>
    public required string Address { get; init; }
    /// <summary>aa:bb:cc:dd:ee:ff lower case; empty for a declined address nobody owns.</summary>
    public required string Mac { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public bool Declined { get; init; }
    public string? Hostname { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Persistence of the DHCP server's bindings. One row per address; implementations must not assume SQLite.</summary>
public interface ILeaseStore
{
    /// <summary>Every binding, for the server to load at start.</summary>
    Task<IReadOnlyList<DhcpLease>> ListLeasesAsync(CancellationToken ct = default);

    /// <summary>Inserts or replaces the binding of <see cref="DhcpLease.Address"/>, and removes any other row of the
    /// same MAC (a MAC holds one address).</summary>
    Task SaveLeaseAsync(DhcpLease lease, CancellationToken ct = default);

    /// <summary>Saves several bindings (each as <see cref="SaveLeaseAsync"/>) in one transaction, in order.</summary>
    Task SaveLeasesAsync(IReadOnlyList<DhcpLease> leases, CancellationToken ct = default);

    Task DeleteLeaseAsync(string address, CancellationToken ct = default);
}
