using System.Text.Json;
using Bifrost.Domain.Nodes;
using static Bifrost.Api.Json.JsonOut;

namespace Bifrost.Api.Json;

/// <summary>The port as Ironic's API shows it (1.78 field set).</summary>
public static class PortJson
{
    public static readonly IReadOnlyList<string> AllFields =
    [
        "address", "created_at", "extra", "internal_info", "is_smartnic", "links", "local_link_connection",
        "node_uuid", "physical_network", "portgroup_uuid", "pxe_enabled", "updated_at", "uuid",
    ];

    public static readonly IReadOnlyCollection<string> ListView = new HashSet<string> { "uuid", "address", "links" };

    public static void Write(Utf8JsonWriter w, Port p, string baseUrl, IReadOnlyCollection<string>? only = null)
    {
        bool Want(string f) => only is null || f == "links" || only.Contains(f);
        w.WriteStartObject();
        if (Want("address")) w.WriteString("address", p.Address);
        if (Want("created_at")) WriteTimestamp(w, "created_at", p.CreatedAt);
        if (Want("extra")) WriteObject(w, "extra", p.Extra);
        if (Want("internal_info")) WriteObject(w, "internal_info", p.InternalInfo);
        if (Want("is_smartnic")) w.WriteBoolean("is_smartnic", p.IsSmartNic);
        WriteLinks(w, "links", baseUrl, $"ports/{p.Uuid}");
        if (Want("local_link_connection")) WriteObject(w, "local_link_connection", p.LocalLinkConnection);
        if (Want("node_uuid")) w.WriteString("node_uuid", p.NodeUuid.ToString());
        if (Want("physical_network")) WriteStringOrNull(w, "physical_network", p.PhysicalNetwork);
        if (Want("portgroup_uuid")) w.WriteNull("portgroup_uuid");
        if (Want("pxe_enabled")) w.WriteBoolean("pxe_enabled", p.PxeEnabled);
        if (Want("updated_at")) WriteTimestamp(w, "updated_at", p.UpdatedAt);
        if (Want("uuid")) w.WriteString("uuid", p.Uuid.ToString());
        w.WriteEndObject();
    }
}
