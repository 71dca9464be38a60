using System.Globalization;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;
using Microsoft.Data.Sqlite;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

public sealed partial class SqliteNodeStore
{
    private static readonly string SelectNodeByUuidSql = $"SELECT {NodeRowMapper.SelectColumns} FROM nodes WHERE uuid = @uuid";
    private static readonly string SelectNodeByNameSql = $"SELECT {NodeRowMapper.SelectColumns} FROM nodes WHERE name = @name";

    /// <summary>Stores every field as given, including <c>created_at</c>, <c>updated_at</c> and <c>reservation</c>.</summary>
    public async Task CreateNodeAsync(Node node, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, NodeRowMapper.InsertSql);
        NodeRowMapper.BindAll(command.Parameters, node);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (SqliteException e) when (MapNodeViolation(e, node) is { } duplicate)
        {
            throw duplicate;
        }
    }

    public async Task<Node?> GetNodeAsync(Guid uuid, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        using var select = new RawStatement(connection, SelectNodeByUuidSql);
        select.Bind("@uuid", Uuid(uuid));
        return select.Step() ? NodeRowMapper.Read(select) : null;
    }

    public async Task<Node?> GetNodeByNameAsync(string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var connection = await OpenAsync(ct);
        using var select = new RawStatement(connection, SelectNodeByNameSql);
        select.Bind("@name", name);
        return select.Step() ? NodeRowMapper.Read(select) : null;
    }

    /// <summary>
    /// Keyset pagination: the marker node's (sort value, id) is looked up and the query continues strictly after
    /// it, so pages never skip or repeat rows while others insert. NULLs in nullable sort columns (name, updated_at,
    /// provision_updated_at, power_state) sort as the empty string, i.e. first ascending, last descending.
    /// <see cref="NodeQuery.ProvisionUpdatedBefore"/> never matches a node whose provision_updated_at is unset.
    /// Throws <see cref="NodeNotFoundException"/> when the marker node does not exist.
    /// </summary>
    public async Task<IReadOnlyList<Node>> ListNodesAsync(NodeQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 0) throw new ArgumentOutOfRangeException(nameof(query), "Limit must not be negative.");
        if (query.ProvisionStates is { Count: 0 }) return [];

        var sql = new NodeListSql(query);
        await using var connection = await OpenAsync(ct);
        if (query.Marker is { } marker)
        {
            // Same sort expression as the ORDER BY, so the comparison matches the ordering exactly (NULLs included).
            using var lookup = new RawStatement(connection, $"SELECT {sql.SortExpression}, id FROM nodes WHERE uuid = @uuid");
            lookup.Bind("@uuid", Uuid(marker));
            if (!lookup.Step()) throw new NodeNotFoundException(marker.ToString());
            sql.After(lookup.Text(0) ?? "", lookup.Int64(1));
        }

        using var select = new RawStatement(connection, sql.Build());
        select.Bind(sql.Parameters);
        var nodes = new List<Node>(query.Limit is { } limit and < 4096 ? limit : 64);
        while (select.Step()) nodes.Add(NodeRowMapper.Read(select));
        return nodes;
    }

    public async Task<int> CountNodesAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT COUNT(*) FROM nodes");
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<NodeStateCount>> CountNodesByStateAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection,
            "SELECT provision_state, power_state, COUNT(*) FROM nodes GROUP BY provision_state, power_state");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<NodeStateCount>();
        while (await reader.ReadAsync(ct))
        {
            // A state this build does not know (a newer schema's) is skipped rather than failing every scrape.
            if (!ProvisionStates.TryParse(reader.GetString(0), out var state)) continue;
            rows.Add(new NodeStateCount(state, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2)));
        }
        return rows;
    }

    /// <summary>
    /// Also sets <c>node.UpdatedAt</c> to the stored value when the save succeeds, so the caller's copy matches the
    /// row. When the stored reservation differs from <c>node.Reservation</c> the exception names the current holder
    /// ("none" when the node is not reserved at all but the caller believed it held the lock).
    /// </summary>
    public async Task SaveNodeAsync(Node node, NodeHistoryEvent? history = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (history is not null && history.NodeUuid != node.Uuid)
        {
            throw new ArgumentException($"History entry {history.Uuid} is for node {history.NodeUuid}, not {node.Uuid}.", nameof(history));
        }

        var now = _time.GetUtcNow();
        await using var connection = await OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: false);
        long? nodeId;
        await using (var update = Command(connection, NodeRowMapper.UpdateSql, tx))
        {
            NodeRowMapper.BindForUpdate(update.Parameters, node);
            update.Parameters.Add("@updated_at", Timestamp(now));
            try
            {
                nodeId = await update.ExecuteScalarAsync(ct) as long?;
            }
            catch (SqliteException e) when (MapNodeViolation(e, node) is { } duplicate)
            {
                throw duplicate;
            }
        }

        if (nodeId is not { } id) throw await MissingOrLockedAsync(connection, tx, node.Uuid, ct);
        if (history is not null) await InsertHistoryAsync(connection, tx, id, history, ct);

        await tx.CommitAsync(ct);
        node.UpdatedAt = now;
    }

    public async Task DeleteNodeAsync(Guid uuid, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        // Ports and history go with the node: ON DELETE CASCADE (foreign_keys is on for every connection).
        await using var command = Command(connection, "DELETE FROM nodes WHERE uuid = @uuid");
        command.Parameters.Add("@uuid", Uuid(uuid));
        if (await command.ExecuteNonQueryAsync(ct) == 0) throw new NodeNotFoundException(uuid.ToString());
    }

    /// <summary>After a conditional write matched nothing: tells "gone" from "someone else holds the lock".</summary>
    private static async Task<BifrostException> MissingOrLockedAsync(
        SqliteConnection connection, SqliteTransaction? tx, Guid uuid, CancellationToken ct)
    {
        await using var command = Command(connection, "SELECT reservation FROM nodes WHERE uuid = @uuid", tx);
        command.Parameters.Add("@uuid", Uuid(uuid));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return new NodeNotFoundException(uuid.ToString());
        return new NodeLockedException(uuid.ToString(), reader.IsDBNull(0) ? "none" : reader.GetString(0));
    }
}
