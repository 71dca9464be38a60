using System.Text.Json.Nodes;
using Bifrost.Api.Errors;
using Bifrost.Domain.Nodes;

namespace Bifrost.Api.Requests;

/// <summary>Port request bodies: create and patch, with Ironic's validation messages.</summary>
public static class PortFields
{
    private const string R = "port";

    private static readonly string[] Writable =
        ["address", "extra", "is_smartnic", "local_link_connection", "node_uuid", "physical_network", "pxe_enabled"];

    /// <summary>Reads POST /v1/ports. node_uuid must be a UUID: the CLI sends names as typed and Ironic refuses them.</summary>
    public static (Port Port, Guid NodeUuid) ParseCreate(JsonNode? body)
    {
        if (body is not JsonObject obj)
            throw ApiException.BadRequest($"Schema error for port: {JsonPatch.PyRepr(body)} is not of type 'object'");
        var unknown = obj.Select(kv => kv.Key).Where(k => k != "uuid" && k != "portgroup_uuid" && !Writable.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw ApiException.BadRequest(
                $"Additional properties are not allowed ({string.Join(", ", unknown.Select(k => $"'{k}'"))} {(unknown.Count == 1 ? "was" : "were")} unexpected)");
        if (!obj.ContainsKey("address")) throw ApiException.BadRequest("Schema error for port: 'address' is a required property");
        if (!obj.ContainsKey("node_uuid")) throw ApiException.BadRequest("Schema error for port: 'node_uuid' is a required property");

        var port = new Port();
        if (obj["uuid"] is { } uuid) port.Uuid = Fields.Uuid(uuid, R, "uuid");
        foreach (var (key, value) in obj)
            if (key is not ("uuid" or "portgroup_uuid")) Set(port, key, value);
        return (port, port.NodeUuid);
    }

    public static void ApplyPatch(Port port, IReadOnlyList<PatchOperation> ops)
    {
        var doc = new JsonObject
        {
            ["address"] = port.Address,
            ["extra"] = port.Extra.DeepClone(),
            ["is_smartnic"] = port.IsSmartNic,
            ["local_link_connection"] = port.LocalLinkConnection.DeepClone(),
            ["node_uuid"] = port.NodeUuid.ToString(),
            ["physical_network"] = port.PhysicalNetwork,
            ["pxe_enabled"] = port.PxeEnabled,
        };
        foreach (var op in ops)
        {
            var top = op.Tokens[0];
            if (!Writable.Contains(top))
                throw ApiException.BadRequest(
                    $"Cannot patch {op.Path}. Only the following can be updated: {string.Join(", ", Writable)}");
            if (op.Tokens.Count == 1 && op.Op == "remove") doc[top] = null;
            else JsonPatch.Apply(doc, op);
        }
        foreach (var (key, value) in doc) Set(port, key, value?.DeepClone());
    }

    private static void Set(Port port, string key, JsonNode? value)
    {
        switch (key)
        {
            case "address":
                var text = value is JsonValue ? value.ToString() : JsonPatch.PyRepr(value);
                if (!Identifiers.TryNormalizeMac(Fields.StringOrNull(value, R, key) is { } s ? s : null, out var mac))
                    throw ApiException.BadRequest($"Expected valid MAC address for address: {text}");
                port.Address = mac;
                break;
            case "node_uuid":
                var raw = Fields.String(value, R, key);
                port.NodeUuid = Guid.TryParse(raw, out var g) ? g : throw ApiException.BadRequest($"Expected UUID for node_uuid: {raw}");
                break;
            case "extra": port.Extra = Fields.Object(value, R, key); break;
            case "local_link_connection": port.LocalLinkConnection = Fields.Object(value, R, key); break;
            case "physical_network": port.PhysicalNetwork = Fields.StringOrNull(value, R, key); break;
            case "pxe_enabled": port.PxeEnabled = Fields.BoolOrNull(value, R, key) ?? true; break;
            case "is_smartnic": port.IsSmartNic = Fields.BoolOrNull(value, R, key) ?? false; break;
        }
    }
}
