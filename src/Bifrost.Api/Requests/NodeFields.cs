using System.Text.Json.Nodes;
using Bifrost.Api.Errors;
using Bifrost.Api.Json;
using Bifrost.Api.Versioning;
using Bifrost.Domain.Nodes;

namespace Bifrost.Api.Requests;

/// <summary>
/// The node fields a client may write, each with how to read it from a node (for PATCH) and how to set it back. POST
/// accepts these plus uuid; PATCH accepts exactly these (Ironic's PATCH_ALLOWED_FIELDS).
/// </summary>
public static class NodeFields
{
    private const string R = "node";

    private sealed record Writable(Func<Node, JsonNode?> Get, Action<Node, JsonNode?> Set);

    private static JsonNode? Str(string? s) => s is null ? null : JsonValue.Create(s);
    private static JsonNode? Bool(bool? b) => b is null ? null : JsonValue.Create(b.Value);

    private static Writable Text(Func<Node, string?> get, Action<Node, string?> set, string name) =>
        new(n => Str(get(n)), (n, v) => set(n, Fields.StringOrNull(v, R, name)));

    private static Writable Interface(Func<NodeInterfaces, string?> get, Func<NodeInterfaces, string?, NodeInterfaces> with, string name) =>
        new(n => Str(get(n.Interfaces)), (n, v) => n.Interfaces = with(n.Interfaces, Fields.StringOrNull(v, R, name)));

    private static readonly SortedDictionary<string, Writable> Table = new(StringComparer.Ordinal)
    {
        ["automated_clean"] = new(n => Bool(n.AutomatedClean), (n, v) => n.AutomatedClean = Fields.BoolOrNull(v, R, "automated_clean")),
        ["bios_interface"] = Interface(i => i.Bios, (i, s) => i with { Bios = s }, "bios_interface"),
        ["boot_interface"] = Interface(i => i.Boot, (i, s) => i with { Boot = s }, "boot_interface"),
        ["chassis_uuid"] = Text(n => n.ChassisUuid, (n, s) => n.ChassisUuid = s, "chassis_uuid"),
        ["conductor_group"] = Text(n => n.ConductorGroup, (n, s) => n.ConductorGroup = s ?? "", "conductor_group"),
        ["console_interface"] = Interface(i => i.Console, (i, s) => i with { Console = s }, "console_interface"),
        ["deploy_interface"] = Interface(i => i.Deploy, (i, s) => i with { Deploy = s }, "deploy_interface"),
        ["description"] = Text(n => n.Description, (n, s) => n.Description = s, "description"),
        ["driver"] = new(n => n.Driver, (n, v) => n.Driver = v is null
            ? throw ApiException.BadRequest("Schema error for node: 'driver' is a required property")
            : Fields.String(v, R, "driver")),
        ["driver_info"] = new(n => n.DriverInfo.DeepClone(), (n, v) => n.DriverInfo = Fields.Object(v, R, "driver_info")),
        ["extra"] = new(n => n.Extra.DeepClone(), (n, v) => n.Extra = Fields.Object(v, R, "extra")),
        ["inspect_interface"] = Interface(i => i.Inspect, (i, s) => i with { Inspect = s }, "inspect_interface"),
        ["instance_info"] = new(n => n.InstanceInfo.DeepClone(), (n, v) => n.InstanceInfo = Fields.Object(v, R, "instance_info")),
        ["instance_uuid"] = new(n => Str(n.InstanceUuid), (n, v) => n.InstanceUuid = v is null ? null : Fields.Uuid(v, R, "instance_uuid").ToString()),
        ["lessee"] = Text(n => n.Lessee, (n, s) => n.Lessee = s, "lessee"),
        // Ironic's update_node clears the reason and fault when maintenance is patched off.
        ["maintenance"] = new(n => n.Maintenance, (n, v) =>
        {
            n.Maintenance = Fields.BoolOrNull(v, R, "maintenance") ?? false;
            if (!n.Maintenance) (n.MaintenanceReason, n.Fault) = (null, null);
        }),
        ["management_interface"] = Interface(i => i.Management, (i, s) => i with { Management = s }, "management_interface"),
        ["name"] = Text(n => n.Name, (n, s) => n.Name = s, "name"),
        ["network_data"] = new(n => n.NetworkData.DeepClone(), (n, v) => n.NetworkData = Fields.Object(v, R, "network_data")),
        ["network_interface"] = Interface(i => i.Network, (i, s) => i with { Network = s }, "network_interface"),
        ["owner"] = Text(n => n.Owner, (n, s) => n.Owner = s, "owner"),
        ["power_interface"] = Interface(i => i.Power, (i, s) => i with { Power = s }, "power_interface"),
        ["properties"] = new(n => n.Properties.DeepClone(), (n, v) => n.Properties = Fields.Object(v, R, "properties")),
        ["protected"] = new(n => n.Protected, (n, v) => n.Protected = Fields.BoolOrNull(v, R, "protected") ?? false),
        ["protected_reason"] = Text(n => n.ProtectedReason, (n, s) => n.ProtectedReason = s, "protected_reason"),
        ["raid_interface"] = Interface(i => i.Raid, (i, s) => i with { Raid = s }, "raid_interface"),
        ["rescue_interface"] = Interface(i => i.Rescue, (i, s) => i with { Rescue = s }, "rescue_interface"),
        ["resource_class"] = Text(n => n.ResourceClass, (n, s) => n.ResourceClass = s, "resource_class"),
        ["retired"] = new(n => n.Retired, (n, v) => n.Retired = Fields.BoolOrNull(v, R, "retired") ?? false),
        ["retired_reason"] = Text(n => n.RetiredReason, (n, s) => n.RetiredReason = s, "retired_reason"),
        ["shard"] = Text(n => n.Shard, (n, s) => n.Shard = s, "shard"),
        ["storage_interface"] = Interface(i => i.Storage, (i, s) => i with { Storage = s }, "storage_interface"),
        ["vendor_interface"] = Interface(i => i.Vendor, (i, s) => i with { Vendor = s }, "vendor_interface"),
    };

    public static IEnumerable<string> Patchable => Table.Keys;

    /// <summary>Reads a POST /v1/nodes body into a draft node (uuid empty when not given).</summary>
    public static Node ParseCreate(JsonNode? body, ApiVersion version)
    {
        if (body is not JsonObject obj)
            throw ApiException.BadRequest($"Schema error for node: {JsonPatch.PyRepr(body)} is not of type 'object'");
        var unknown = obj.Select(kv => kv.Key).Where(k => k != "uuid" && !Table.ContainsKey(k)).ToList();
        if (unknown.Count > 0)
            throw ApiException.BadRequest(
                $"Additional properties are not allowed ({string.Join(", ", unknown.Select(k => $"'{k}'"))} {(unknown.Count == 1 ? "was" : "were")} unexpected)");
        if (!obj.ContainsKey("driver"))
            throw ApiException.BadRequest("Schema error for node: 'driver' is a required property");
        // Ironic's reject_fields_in_newer_versions: only a value counts (name: null passes at 1.1, "" for conductor_group).
        if (obj.Any(kv => NodeJson.ExistsButNewer(kv.Key, version) && kv.Value is not null
                          && !(kv.Key == "conductor_group" && kv.Value.ToJsonString() == "\"\"")))
            throw ApiException.NotAcceptable();

        var node = new Node();
        if (obj["uuid"] is { } uuid) node.Uuid = Fields.Uuid(uuid, R, "uuid");
        foreach (var (key, value) in obj)
            if (key != "uuid") Table[key].Set(node, value);
        return node;
    }

    /// <summary>Applies a JSON patch to a node: operations run over a document of the writable fields, then every
    /// changed field is set back with its type checked.</summary>
    public static void ApplyPatch(Node node, IReadOnlyList<PatchOperation> ops, ApiVersion version)
    {
        var doc = new JsonObject();
        foreach (var (name, field) in Table) doc[name] = field.Get(node);

        // As Ironic's _validate_patch: every path must be patchable (400), then none may be newer than the version (406).
        if (ops.FirstOrDefault(op => !Table.ContainsKey(op.Tokens[0])) is { } bad)
            throw ApiException.BadRequest(
                $"Cannot patch {bad.Path}. Only the following can be updated: {string.Join(", ", Table.Keys)}");
        if (ops.Any(op => NodeJson.ExistsButNewer(op.Tokens[0], version))) throw ApiException.NotAcceptable();

        foreach (var op in ops)
        {
            var top = op.Tokens[0];
            if (op.Tokens.Count == 1 && op.Op == "remove")
            {
                doc[top] = null; // removing a top-level field resets it
                continue;
            }
            JsonPatch.Apply(doc, op);
        }

        foreach (var (name, field) in Table)
        {
            var before = field.Get(node);
            var after = doc[name];
            if (!JsonNode.DeepEquals(before, after)) field.Set(node, after?.DeepClone());
        }
    }
}
