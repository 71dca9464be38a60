using Bifrost.Domain.Nodes;
using Microsoft.Data.Sqlite;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

/// <summary>Port fields ↔ columns. Ports refer to their node by its integer id; reads join back to the node's uuid.</summary>
internal static class PortRowMapper
{
    /// <summary>SELECT list over <c>ports p JOIN nodes n</c>, in the order <see cref="Read"/> reads.</summary>
    public const string SelectColumns =
        "p.uuid, p.created_at, p.updated_at, n.uuid, p.address, p.pxe_enabled, p.physical_network, p.is_smartnic, " +
        "p.extra, p.internal_info, p.local_link_connection";

    public const string From = "ports p JOIN nodes n ON n.id = p.node_id";

    public const string InsertSql =
        "INSERT INTO ports (uuid, created_at, updated_at, node_id, address, pxe_enabled, physical_network, is_smartnic, " +
        "extra, internal_info, local_link_connection) VALUES (@uuid, @created_at, @updated_at, @node_id, @address, " +
        "@pxe_enabled, @physical_network, @is_smartnic, @extra, @internal_info, @local_link_connection)";

    public const string UpdateSql =
        "UPDATE ports SET updated_at = @updated_at, node_id = @node_id, address = @address, pxe_enabled = @pxe_enabled, " +
        "physical_network = @physical_network, is_smartnic = @is_smartnic, extra = @extra, " +
        "internal_info = @internal_info, local_link_connection = @local_link_connection WHERE uuid = @uuid";

    /// <summary>Binds every column but @node_id (resolved from the node's uuid) and, for updates, @updated_at.</summary>
    public static void Bind(SqliteParameterCollection p, Port port, bool forInsert)
    {
        p.Add("@uuid", Uuid(port.Uuid));
        if (forInsert)
        {
            p.Add("@created_at", Timestamp(port.CreatedAt));
            p.Add("@updated_at", Timestamp(port.UpdatedAt));
        }

        p.Add("@address", port.Address);
        p.Add("@pxe_enabled", Db(port.PxeEnabled));
        p.Add("@physical_network", Db(port.PhysicalNetwork));
        p.Add("@is_smartnic", Db(port.IsSmartNic));
        p.Add("@extra", Json(port.Extra));
        p.Add("@internal_info", Json(port.InternalInfo));
        p.Add("@local_link_connection", Json(port.LocalLinkConnection));
    }

    public static Port Read(RawStatement r)
    {
        var c = 0;
        return new Port
        {
            Uuid = r.Uuid(c++),
            CreatedAt = r.Timestamp(c++),
            UpdatedAt = r.NullableTimestamp(c++),
            NodeUuid = r.Uuid(c++),
            Address = r.RequiredText(c++),
            PxeEnabled = r.Flag(c++),
            PhysicalNetwork = r.Text(c++),
            IsSmartNic = r.Flag(c++),
            Extra = r.JsonObject(c++),
            InternalInfo = r.JsonObject(c++),
            LocalLinkConnection = r.JsonObject(c++),
        };
    }
}
