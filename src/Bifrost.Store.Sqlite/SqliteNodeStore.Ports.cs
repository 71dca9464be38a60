using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Store;
using Microsoft.Data.Sqlite;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

public sealed partial class SqliteNodeStore
{
    private const string SelectPortSql = $"SELECT {PortRowMapper.SelectColumns} FROM {PortRowMapper.From}";

    /// <summary>
    /// Stores every field as given (the address exactly as passed; uniqueness ignores case). Also throws
    /// <see cref="NodeNotFoundException"/> when the port's node does not exist.
    /// </summary>
    public async Task CreatePortAsync(Port port, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(port);
        await using var connection = await OpenAsync(ct);
        // Immediate: the node lookup and the insert must see the same database (the node could be deleted between).
        await using var tx = connection.BeginTransaction(deferred: false);
        var nodeId = await FindNodeIdAsync(connection, tx, port.NodeUuid, ct)
            ?? throw new NodeNotFoundException(port.NodeUuid.ToString());
        await using (var command = Command(connection, PortRowMapper.InsertSql, tx))
        {
            PortRowMapper.Bind(command.Parameters, port, forInsert: true);
            command.Parameters.Add("@node_id", nodeId);
            try
            {
                await command.ExecuteNonQueryAsync(ct);
            }
            catch (SqliteException e) when (MapPortViolation(e, port) is { } duplicate)
            {
                throw duplicate;
            }
        }

        await tx.CommitAsync(ct);
    }

    public async Task<Port?> GetPortAsync(Guid uuid, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        using var select = new RawStatement(connection, SelectPortSql + " WHERE p.uuid = @uuid");
        select.Bind("@uuid", Uuid(uuid));
        return select.Step() ? PortRowMapper.Read(select) : null;
    }

    public async Task<Port?> GetPortByAddressAsync(string address, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        await using var connection = await OpenAsync(ct);
        // The column is COLLATE NOCASE, so '=' ignores case and uses the unique index.
        using var select = new RawStatement(connection, SelectPortSql + " WHERE p.address = @address");
        select.Bind("@address", address);
        return select.Step() ? PortRowMapper.Read(select) : null;
    }

    /// <summary>
    /// Ports in insertion order (reversed for <see cref="SortDirection.Desc"/>). A <see cref="PortQuery.NodeUuid"/>
    /// of a missing node matches nothing; an unknown marker throws <see cref="PortNotFoundException"/>.
    /// </summary>
    public async Task<IReadOnlyList<Port>> ListPortsAsync(PortQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 0) throw new ArgumentOutOfRangeException(nameof(query), "Limit must not be negative.");

        await using var connection = await OpenAsync(ct);
        var where = new List<string>(3);
        var parameters = new Dictionary<string, object>();
        if (query.NodeUuid is { } nodeUuid)
        {
            where.Add("n.uuid = @node_uuid");
            parameters["@node_uuid"] = Uuid(nodeUuid);
        }

        if (query.Address is { } address)
        {
            where.Add("p.address = @address");
            parameters["@address"] = address;
        }

        var desc = query.SortDir == SortDirection.Desc;
        if (query.Marker is { } marker)
        {
            await using var lookup = Command(connection, "SELECT id FROM ports WHERE uuid = @uuid");
            lookup.Parameters.Add("@uuid", Uuid(marker));
            var markerId = await lookup.ExecuteScalarAsync(ct) as long? ?? throw new PortNotFoundException(marker.ToString());
            where.Add(desc ? "p.id < @marker_id" : "p.id > @marker_id");
            parameters["@marker_id"] = markerId;
        }

        var sql = SelectPortSql;
        if (where.Count > 0) sql += " WHERE " + string.Join(" AND ", where);
        sql += desc ? " ORDER BY p.id DESC" : " ORDER BY p.id ASC";
        if (query.Limit is { } limit)
        {
            sql += " LIMIT @limit";
            parameters["@limit"] = (long)limit;
        }

        using var select = new RawStatement(connection, sql);
        select.Bind(parameters);
        var ports = new List<Port>();
        while (select.Step()) ports.Add(PortRowMapper.Read(select));
        return ports;
    }

    /// <summary>
    /// Rewrites every field but uuid and created_at (moving the port to another node is allowed), sets
    /// updated_at, and on success copies it to <c>port.UpdatedAt</c>. Throws <see cref="PortNotFoundException"/>,
    /// <see cref="NodeNotFoundException"/> (the new node is missing) or <see cref="DuplicateMacException"/>.
    /// </summary>
    public async Task SavePortAsync(Port port, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(port);
        var now = _time.GetUtcNow();
        await using var connection = await OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: false);
        if (await FindNodeIdAsync(connection, tx, port.NodeUuid, ct) is not { } nodeId)
        {
            // A missing port is the better answer when both are missing: the port is what the caller named.
            await using var exists = Command(connection, "SELECT 1 FROM ports WHERE uuid = @uuid", tx);
            exists.Parameters.Add("@uuid", Uuid(port.Uuid));
            if (await exists.ExecuteScalarAsync(ct) is null) throw new PortNotFoundException(port.Uuid.ToString());
            throw new NodeNotFoundException(port.NodeUuid.ToString());
        }

        await using (var command = Command(connection, PortRowMapper.UpdateSql, tx))
        {
            PortRowMapper.Bind(command.Parameters, port, forInsert: false);
            command.Parameters.Add("@node_id", nodeId);
            command.Parameters.Add("@updated_at", Timestamp(now));
            int rows;
            try
            {
                rows = await command.ExecuteNonQueryAsync(ct);
            }
            catch (SqliteException e) when (MapPortViolation(e, port) is { } duplicate)
            {
                throw duplicate;
            }

            if (rows == 0) throw new PortNotFoundException(port.Uuid.ToString());
        }

        await tx.CommitAsync(ct);
        port.UpdatedAt = now;
    }

    public async Task DeletePortAsync(Guid uuid, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "DELETE FROM ports WHERE uuid = @uuid");
        command.Parameters.Add("@uuid", Uuid(uuid));
        if (await command.ExecuteNonQueryAsync(ct) == 0) throw new PortNotFoundException(uuid.ToString());
    }
}
