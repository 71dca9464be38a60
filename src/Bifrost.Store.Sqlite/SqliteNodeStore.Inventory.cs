using System.Text.Json.Nodes;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Store;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

public sealed partial class SqliteNodeStore
{
    /// <summary>Replaces the node's inventory. Throws <see cref="NodeNotFoundException"/> for a missing node.</summary>
    public async Task SaveInventoryAsync(Guid nodeUuid, NodeInventory inventory, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        await using var connection = await OpenAsync(ct);
        await using var tx = connection.BeginTransaction(deferred: false);
        var nodeId = await FindNodeIdAsync(connection, tx, nodeUuid, ct)
            ?? throw new NodeNotFoundException(nodeUuid.ToString());
        await using var command = Command(connection,
            "INSERT INTO node_inventory (node_id, inventory, plugin_data, created_at) " +
            "VALUES (@node_id, @inventory, @plugin_data, @created_at) ON CONFLICT (node_id) DO UPDATE SET " +
            "inventory = excluded.inventory, plugin_data = excluded.plugin_data, created_at = excluded.created_at", tx);
        command.Parameters.Add("@node_id", nodeId);
        command.Parameters.Add("@inventory", inventory.Inventory.ToJsonString());
        command.Parameters.Add("@plugin_data", inventory.PluginData.ToJsonString());
        command.Parameters.Add("@created_at", Timestamp(inventory.CreatedAt));
        await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Null when the node was never inspected; throws <see cref="NodeNotFoundException"/> for a missing node.</summary>
    public async Task<NodeInventory?> GetInventoryAsync(Guid nodeUuid, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var nodeId = await FindNodeIdAsync(connection, null, nodeUuid, ct)
            ?? throw new NodeNotFoundException(nodeUuid.ToString());
        await using var command = Command(connection,
            "SELECT inventory, plugin_data, created_at FROM node_inventory WHERE node_id = @node_id");
        command.Parameters.Add("@node_id", nodeId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new NodeInventory(
            JsonNode.Parse(reader.GetString(0))!.AsObject(),
            JsonNode.Parse(reader.GetString(1))!.AsObject(),
            DateTimeOffset.Parse(reader.GetString(2), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal));
    }
}
