using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Store;

/// <summary>
/// Persistence of nodes, ports and node history. Implementations: SQLite today (Bifrost.Store.Sqlite), PostgreSQL
/// later, so nothing here may assume SQLite. Every method returns copies; changing a returned object changes nothing
/// until it is saved.
/// </summary>
public interface INodeStore
{
    /// <summary>Inserts a node. Throws <see cref="Errors.DuplicateNameException"/> or
    /// <see cref="Errors.DuplicateUuidException"/>.</summary>
    Task CreateNodeAsync(Node node, CancellationToken ct = default);

    Task<Node?> GetNodeAsync(Guid uuid, CancellationToken ct = default);

    Task<Node?> GetNodeByNameAsync(string name, CancellationToken ct = default);

    /// <summary>Nodes matching <paramref name="query"/>, ordered by the sort key then insertion order.</summary>
    Task<IReadOnlyList<Node>> ListNodesAsync(NodeQuery query, CancellationToken ct = default);

    Task<int> CountNodesAsync(CancellationToken ct = default);

    /// <summary>How many nodes are in each (provision state, power state) pair, for the /metrics gauges: one cheap
    /// grouped count, no node is read.</summary>
    Task<IReadOnlyList<NodeStateCount>> CountNodesByStateAsync(CancellationToken ct = default);

    /// <summary>
    /// Writes every field of <paramref name="node"/> (except uuid and created_at), sets <c>updated_at</c>, and, when
    /// given, appends <paramref name="history"/> in the same transaction. The write only happens while the stored
    /// reservation equals <c>node.Reservation</c>: a caller that lost its lock gets <see cref="Errors.NodeLockedException"/>
    /// and changes nothing. Throws <see cref="Errors.DuplicateNameException"/> on a name clash and
    /// <see cref="Errors.NodeNotFoundException"/> when the node is gone.
    /// </summary>
    Task SaveNodeAsync(Node node, NodeHistoryEvent? history = null, CancellationToken ct = default);

    /// <summary>Deletes a node with its ports and history.</summary>
    Task DeleteNodeAsync(Guid uuid, CancellationToken ct = default);

    /// <summary>Atomically sets the reservation if none is held (conditional UPDATE). True when this call won.</summary>
    Task<bool> TryReserveAsync(Guid uuid, string owner, CancellationToken ct = default);

    /// <summary>Clears the reservation if <paramref name="owner"/> holds it.</summary>
    Task ReleaseAsync(Guid uuid, string owner, CancellationToken ct = default);

    /// <summary>Clears every reservation <paramref name="owner"/> holds (start-up recovery). Returns how many.</summary>
    Task<int> ClearReservationsAsync(string owner, CancellationToken ct = default);

    /// <summary>Throws <see cref="Errors.DuplicateMacException"/> or <see cref="Errors.DuplicateUuidException"/>.</summary>
    Task CreatePortAsync(Port port, CancellationToken ct = default);

    Task<Port?> GetPortAsync(Guid uuid, CancellationToken ct = default);

    /// <summary>Case-insensitive lookup by MAC address.</summary>
    Task<Port?> GetPortByAddressAsync(string address, CancellationToken ct = default);

    Task<IReadOnlyList<Port>> ListPortsAsync(PortQuery query, CancellationToken ct = default);

    /// <summary>Writes every field but uuid and created_at, sets updated_at. Throws on a duplicate MAC.</summary>
    Task SavePortAsync(Port port, CancellationToken ct = default);

    Task DeletePortAsync(Guid uuid, CancellationToken ct = default);

    /// <summary>Appends to a node's history, keeping at most the configured number of entries per node.</summary>
    Task AddHistoryAsync(NodeHistoryEvent entry, CancellationToken ct = default);

    /// <summary>Stores (replaces) the inventory an inspection produced. Throws <see cref="Errors.NodeNotFoundException"/>.</summary>
    Task SaveInventoryAsync(Guid nodeUuid, NodeInventory inventory, CancellationToken ct = default);

    /// <summary>The node's last inventory, or null when it was never inspected. Throws
    /// <see cref="Errors.NodeNotFoundException"/> for a missing node.</summary>
    Task<NodeInventory?> GetInventoryAsync(Guid nodeUuid, CancellationToken ct = default);

    /// <summary>A node's history, oldest first.</summary>
    Task<IReadOnlyList<NodeHistoryEvent>> ListHistoryAsync(
        Guid nodeUuid, int? limit = null, Guid? marker = null, CancellationToken ct = default);
}

/// <summary>An inspection's result as Ironic's GET /v1/nodes/{id}/inventory shows it: the agent's inventory (IPA's
/// shape: cpu, memory, disks, interfaces, boot, system_vendor) and plugin data.</summary>
public sealed record NodeInventory(
    System.Text.Json.Nodes.JsonObject Inventory, System.Text.Json.Nodes.JsonObject PluginData, DateTimeOffset CreatedAt);

public enum SortDirection { Asc, Desc }

/// <summary>One row of <see cref="INodeStore.CountNodesByStateAsync"/>; <see cref="PowerState"/> is null when never read.</summary>
public sealed record NodeStateCount(ProvisionState ProvisionState, string? PowerState, int Count);

/// <summary>A node list request. Null filters match everything.</summary>
public sealed record NodeQuery
{
    public IReadOnlyCollection<ProvisionState>? ProvisionStates { get; init; }
    public bool? Maintenance { get; init; }
    public string? Driver { get; init; }
    public string? ResourceClass { get; init; }
    public string? Fault { get; init; }
    /// <summary>True: only nodes with a reservation; false: only without.</summary>
    public bool? Reserved { get; init; }
    /// <summary>Only nodes whose provision_updated_at is before this instant.</summary>
    public DateTimeOffset? ProvisionUpdatedBefore { get; init; }
    public int? Limit { get; init; }
    /// <summary>Continue after this node (keyset pagination on sort key, then insertion order).</summary>
    public Guid? Marker { get; init; }
    public NodeSortKey SortKey { get; init; } = NodeSortKey.Id;
    public SortDirection SortDir { get; init; } = SortDirection.Asc;
}

/// <summary>Sort keys the API accepts (Ironic's <c>sort_key</c>); Id is insertion order.</summary>
public enum NodeSortKey { Id, Uuid, Name, CreatedAt, UpdatedAt, ProvisionState, ProvisionUpdatedAt, Driver, PowerState }

public sealed record PortQuery
{
    public Guid? NodeUuid { get; init; }
    /// <summary>A normalized (lowercase) MAC address.</summary>
    public string? Address { get; init; }
    public int? Limit { get; init; }
    public Guid? Marker { get; init; }
    public SortDirection SortDir { get; init; } = SortDirection.Asc;
}
