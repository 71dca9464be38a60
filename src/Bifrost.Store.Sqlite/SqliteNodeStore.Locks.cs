using Bifrost.Domain.Errors;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

/// <summary>
/// Node locks. Each is a single conditional UPDATE, which SQLite runs under its write lock, so of any number of
/// concurrent callers (threads, store instances or processes) exactly one sees its row change.
/// </summary>
public sealed partial class SqliteNodeStore
{
    /// <summary>
    /// True when this call took the lock; false when someone (this owner included) already holds it. Throws
    /// <see cref="NodeNotFoundException"/> for a node that does not exist, so a typo is not mistaken for contention.
    /// </summary>
    public async Task<bool> TryReserveAsync(Guid uuid, string owner, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await using var connection = await OpenAsync(ct);
        await using (var command = Command(connection, "UPDATE nodes SET reservation = @owner WHERE uuid = @uuid AND reservation IS NULL"))
        {
            command.Parameters.Add("@owner", owner);
            command.Parameters.Add("@uuid", Uuid(uuid));
            if (await command.ExecuteNonQueryAsync(ct) == 1) return true;
        }

        // Lost, or no such node: only the slow path pays for telling them apart.
        if (await FindNodeIdAsync(connection, null, uuid, ct) is null) throw new NodeNotFoundException(uuid.ToString());
        return false;
    }

    /// <summary>A no-op when <paramref name="owner"/> does not hold the lock or the node is gone.</summary>
    public async Task ReleaseAsync(Guid uuid, string owner, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "UPDATE nodes SET reservation = NULL WHERE uuid = @uuid AND reservation = @owner");
        command.Parameters.Add("@owner", owner);
        command.Parameters.Add("@uuid", Uuid(uuid));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> ClearReservationsAsync(string owner, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "UPDATE nodes SET reservation = NULL WHERE reservation = @owner");
        command.Parameters.Add("@owner", owner);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
