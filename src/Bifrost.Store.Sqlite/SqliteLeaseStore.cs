using System.Globalization;
using Bifrost.Domain.Store;
using Microsoft.Data.Sqlite;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

/// <summary><see cref="ILeaseStore"/> over the same SQLite file as the nodes (table <c>dhcp_leases</c>, migration 0002).</summary>
public sealed class SqliteLeaseStore : ILeaseStore
{
    private readonly string _connectionString;
    private readonly string _pragmas;

    public SqliteLeaseStore(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.DatabasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();
        _pragmas = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;");
    }

    public async Task<IReadOnlyList<DhcpLease>> ListLeasesAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT address, mac, expires_at, declined, hostname, updated_at FROM dhcp_leases ORDER BY address";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var leases = new List<DhcpLease>();
        while (await reader.ReadAsync(ct))
        {
            leases.Add(new DhcpLease
            {
                Address = reader.GetString(0),
                Mac = reader.GetString(1),
                ExpiresAt = ParseTimestamp(reader.GetString(2)),
                Declined = reader.GetInt64(3) != 0,
                Hostname = reader.IsDBNull(4) ? null : reader.GetString(4),
                UpdatedAt = ParseTimestamp(reader.GetString(5)),
            });
        }
        return leases;
    }

    public Task SaveLeaseAsync(DhcpLease lease, CancellationToken ct = default) => SaveLeasesAsync([lease], ct);

    public async Task SaveLeasesAsync(IReadOnlyList<DhcpLease> leases, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0) return;
        await using var connection = await OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: false);
        await using var delete = connection.CreateCommand();
        delete.Transaction = tx;
        // A MAC holds one address: its old row goes with the new one, in one transaction.
        delete.CommandText = "DELETE FROM dhcp_leases WHERE mac = @mac AND address <> @address";
        var deleteMac = delete.Parameters.Add("@mac", SqliteType.Text);
        var deleteAddress = delete.Parameters.Add("@address", SqliteType.Text);
        await using var upsert = connection.CreateCommand();
        upsert.Transaction = tx;
        // INSERT … ON CONFLICT DO UPDATE is also PostgreSQL syntax.
        upsert.CommandText = """
            INSERT INTO dhcp_leases (address, mac, expires_at, declined, hostname, updated_at)
            VALUES (@address, @mac, @expires_at, @declined, @hostname, @updated_at)
            ON CONFLICT (address) DO UPDATE SET mac = excluded.mac, expires_at = excluded.expires_at,
                declined = excluded.declined, hostname = excluded.hostname, updated_at = excluded.updated_at
            """;
        var address = upsert.Parameters.Add("@address", SqliteType.Text);
        var mac = upsert.Parameters.Add("@mac", SqliteType.Text);
        var expires = upsert.Parameters.Add("@expires_at", SqliteType.Text);
        var declined = upsert.Parameters.Add("@declined", SqliteType.Integer);
        var hostname = upsert.Parameters.Add("@hostname", SqliteType.Text);
        var updated = upsert.Parameters.Add("@updated_at", SqliteType.Text);
        foreach (var lease in leases)
        {
            if (lease.Mac.Length > 0)
            {
                deleteMac.Value = lease.Mac;
                deleteAddress.Value = lease.Address;
                await delete.ExecuteNonQueryAsync(ct);
            }
            address.Value = lease.Address;
            mac.Value = lease.Mac;
            expires.Value = Timestamp(lease.ExpiresAt);
            declined.Value = Db(lease.Declined);
            hostname.Value = Db(lease.Hostname);
            updated.Value = Timestamp(lease.UpdatedAt);
            await upsert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task DeleteLeaseAsync(string address, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM dhcp_leases WHERE address = @address";
        command.Parameters.Add("@address", address);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static DateTimeOffset ParseTimestamp(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
