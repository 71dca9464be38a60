using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Microsoft.Data.Sqlite;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

public sealed partial class SqliteNodeStore
{
    private const string InsertHistorySql =
        "INSERT INTO node_history (uuid, node_id, created_at, severity, event_type, event, conductor, user_name) " +
        "VALUES (@uuid, @node_id, @created_at, @severity, @event_type, @event, @conductor, @user_name)";

    // Deletes everything at or below the id of the (max+1)-th newest entry: one index range on (node_id, id).
    private const string TrimHistorySql =
        "DELETE FROM node_history WHERE node_id = @node_id AND id <= (" +
        "SELECT id FROM node_history WHERE node_id = @node_id ORDER BY id DESC LIMIT 1 OFFSET @keep)";

    private const string SelectHistorySql =
        "SELECT uuid, created_at, severity, event_type, event, conductor, user_name FROM node_history";

    /// <summary>Throws <see cref="NodeNotFoundException"/> for a missing node, <see cref="DuplicateUuidException"/>
    /// for a reused entry uuid.</summary>
    public async Task AddHistoryAsync(NodeHistoryEvent entry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: false);
        var nodeId = await FindNodeIdAsync(connection, tx, entry.NodeUuid, ct)
            ?? throw new NodeNotFoundException(entry.NodeUuid.ToString());
        await InsertHistoryAsync(connection, tx, nodeId, entry, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Oldest first; with a marker, the entries after that one. Throws <see cref="NodeNotFoundException"/> for a
    /// missing node and a not-found <see cref="BifrostException"/> for a marker that is not one of its entries
    /// (the domain has no history-specific exception).
    /// </summary>
    public async Task<IReadOnlyList<NodeHistoryEvent>> ListHistoryAsync(
        Guid nodeUuid, int? limit = null, Guid? marker = null, CancellationToken ct = default)
    {
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), "Limit must not be negative.");
        await using var connection = await OpenAsync(ct);
        var nodeId = await FindNodeIdAsync(connection, null, nodeUuid, ct)
            ?? throw new NodeNotFoundException(nodeUuid.ToString());

        var sql = SelectHistorySql + " WHERE node_id = @node_id";
        var parameters = new Dictionary<string, object> { ["@node_id"] = nodeId };
        if (marker is { } m)
        {
            await using var lookup = Command(connection, "SELECT id FROM node_history WHERE uuid = @uuid AND node_id = @node_id");
            lookup.Parameters.Add("@uuid", Uuid(m));
            lookup.Parameters.Add("@node_id", nodeId);
            var markerId = await lookup.ExecuteScalarAsync(ct) as long?
                ?? throw new BifrostException($"History event {m} of node {nodeUuid} could not be found.", ErrorKind.NotFound);
            sql += " AND id > @marker_id";
            parameters["@marker_id"] = markerId;
        }

        sql += " ORDER BY id ASC";
        if (limit is { } l)
        {
            sql += " LIMIT @limit";
            parameters["@limit"] = (long)l;
        }

        using var select = new RawStatement(connection, sql);
        select.Bind(parameters);
        var entries = new List<NodeHistoryEvent>();
        while (select.Step())
        {
            entries.Add(new NodeHistoryEvent
            {
                Uuid = select.Uuid(0),
                NodeUuid = nodeUuid,
                CreatedAt = select.Timestamp(1),
                Severity = select.RequiredText(2),
                EventType = select.RequiredText(3),
                Event = select.RequiredText(4),
                Conductor = select.RequiredText(5),
                User = select.Text(6),
            });
        }

        return entries;
    }

    /// <summary>Inserts one entry and trims the node's oldest beyond the bound, inside the caller's transaction.</summary>
    private async Task InsertHistoryAsync(
        SqliteConnection connection, SqliteTransaction tx, long nodeId, NodeHistoryEvent entry, CancellationToken ct)
    {
        await using (var insert = Command(connection, InsertHistorySql, tx))
        {
            insert.Parameters.Add("@uuid", Uuid(entry.Uuid));
            insert.Parameters.Add("@node_id", nodeId);
            insert.Parameters.Add("@created_at", Timestamp(entry.CreatedAt));
            insert.Parameters.Add("@severity", entry.Severity);
            insert.Parameters.Add("@event_type", entry.EventType);
            insert.Parameters.Add("@event", entry.Event);
            insert.Parameters.Add("@conductor", entry.Conductor);
            insert.Parameters.Add("@user_name", Db(entry.User));
            try
            {
                await insert.ExecuteNonQueryAsync(ct);
            }
            catch (SqliteException e) when (UniqueViolation(e) == "node_history.uuid")
            {
                throw new DuplicateUuidException("history event", entry.Uuid);
            }
        }

        await using var trim = Command(connection, TrimHistorySql, tx);
        trim.Parameters.Add("@node_id", nodeId);
        trim.Parameters.Add("@keep", (long)_options.MaxHistoryPerNode);
        await trim.ExecuteNonQueryAsync(ct);
    }
}
