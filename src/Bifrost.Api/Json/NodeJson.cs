using System.Text.Json;
using Bifrost.Api.Versioning;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using static Bifrost.Api.Json.JsonOut;

namespace Bifrost.Api.Json;

/// <summary>
/// The node as Ironic's API shows it: every field with the microversion it appeared in, secrets masked. One table
/// drives show, detail, <c>?fields=</c> and the list view, so the versions cannot drift apart.
/// </summary>
public static class NodeJson
{
    private delegate void FieldWriter(Utf8JsonWriter w, Node n, NodeContext c);

    /// <summary>What a node's JSON depends on besides the node: the version served and the links' base URL.</summary>
    public readonly record struct NodeContext(ApiVersion Version, string BaseUrl, string Conductor);

    private sealed record Field(string Name, ApiVersion Since, FieldWriter Write);

    private static ApiVersion V(int minor) => new(1, minor);

    private static readonly Field[] Fields =
    [
        new("allocation_uuid", V(52), (w, n, _) => WriteStringOrNull(w, "allocation_uuid", n.AllocationUuid)),
        new("automated_clean", V(47), (w, n, _) => WriteBoolOrNull(w, "automated_clean", n.AutomatedClean)),
        new("bios_interface", V(40), (w, n, _) => WriteStringOrNull(w, "bios_interface", n.Interfaces.Bios)),
        new("boot_interface", V(31), (w, n, _) => WriteStringOrNull(w, "boot_interface", n.Interfaces.Boot)),
        new("boot_mode", V(75), (w, n, _) => WriteStringOrNull(w, "boot_mode", n.BootMode)),
        new("chassis_uuid", V(1), (w, n, _) => WriteStringOrNull(w, "chassis_uuid", n.ChassisUuid)),
        new("clean_step", V(7), (w, n, _) => WriteObject(w, "clean_step", n.CleanStep)),
        new("conductor", V(49), (w, _, c) => w.WriteString("conductor", c.Conductor)),
        new("conductor_group", V(46), (w, n, _) => w.WriteString("conductor_group", n.ConductorGroup)),
        new("console_enabled", V(1), (w, n, _) => w.WriteBoolean("console_enabled", n.ConsoleEnabled)),
        new("console_interface", V(31), (w, n, _) => WriteStringOrNull(w, "console_interface", n.Interfaces.Console)),
        new("created_at", V(1), (w, n, _) => WriteTimestamp(w, "created_at", n.CreatedAt)),
        new("deploy_interface", V(31), (w, n, _) => WriteStringOrNull(w, "deploy_interface", n.Interfaces.Deploy)),
        new("deploy_step", V(44), (w, n, _) => WriteObject(w, "deploy_step", n.DeployStep)),
        new("description", V(51), (w, n, _) => WriteStringOrNull(w, "description", n.Description)),
        new("driver", V(1), (w, n, _) => w.WriteString("driver", n.Driver)),
        new("driver_info", V(1), (w, n, _) => WriteObject(w, "driver_info", Secrets.DriverInfo(n.DriverInfo))),
        new("driver_internal_info", V(3),
            (w, n, _) => WriteObject(w, "driver_internal_info", Secrets.DriverInternalInfo(n.DriverInternalInfo))),
        new("extra", V(1), (w, n, _) => WriteObject(w, "extra", n.Extra)),
        new("fault", V(42), (w, n, _) => WriteStringOrNull(w, "fault", n.Fault)),
        new("inspect_interface", V(31), (w, n, _) => WriteStringOrNull(w, "inspect_interface", n.Interfaces.Inspect)),
        new("inspection_finished_at", V(6), (w, n, _) => WriteTimestamp(w, "inspection_finished_at", n.InspectionFinishedAt)),
        new("inspection_started_at", V(6), (w, n, _) => WriteTimestamp(w, "inspection_started_at", n.InspectionStartedAt)),
        new("instance_info", V(1), (w, n, _) => WriteObject(w, "instance_info", Secrets.InstanceInfo(n.InstanceInfo))),
        new("instance_uuid", V(1), (w, n, _) => WriteStringOrNull(w, "instance_uuid", n.InstanceUuid)),
        new("last_error", V(1), (w, n, _) => WriteStringOrNull(w, "last_error", n.LastError)),
        new("lessee", V(65), (w, n, _) => WriteStringOrNull(w, "lessee", n.Lessee)),
        new("links", V(1), (w, n, c) => WriteLinks(w, "links", c.BaseUrl, $"nodes/{n.Uuid}")),
        new("maintenance", V(1), (w, n, _) => w.WriteBoolean("maintenance", n.Maintenance)),
        new("maintenance_reason", V(1), (w, n, _) => WriteStringOrNull(w, "maintenance_reason", n.MaintenanceReason)),
        new("management_interface", V(31),
            (w, n, _) => WriteStringOrNull(w, "management_interface", n.Interfaces.Management)),
        new("name", V(5), (w, n, _) => WriteStringOrNull(w, "name", n.Name)),
        new("network_data", V(66), (w, n, _) => WriteObject(w, "network_data", n.NetworkData)),
        new("network_interface", V(20), (w, n, _) => WriteStringOrNull(w, "network_interface", n.Interfaces.Network)),
        new("owner", V(50), (w, n, _) => WriteStringOrNull(w, "owner", n.Owner)),
        new("portgroups", V(24), (w, n, c) => WriteLinks(w, "portgroups", c.BaseUrl, $"nodes/{n.Uuid}/portgroups")),
        new("ports", V(1), (w, n, c) => WriteLinks(w, "ports", c.BaseUrl, $"nodes/{n.Uuid}/ports")),
        new("power_interface", V(31), (w, n, _) => WriteStringOrNull(w, "power_interface", n.Interfaces.Power)),
        new("power_state", V(1), (w, n, _) => WriteStringOrNull(w, "power_state", n.PowerState)),
        new("properties", V(1), (w, n, _) => WriteObject(w, "properties", n.Properties)),
        new("protected", V(48), (w, n, _) => w.WriteBoolean("protected", n.Protected)),
        new("protected_reason", V(48), (w, n, _) => WriteStringOrNull(w, "protected_reason", n.ProtectedReason)),
        new("provision_state", V(1), (w, n, c) => WriteStringOrNull(w, "provision_state", ProvisionStateFor(n.ProvisionState, c.Version))),
        new("provision_updated_at", V(1), (w, n, _) => WriteTimestamp(w, "provision_updated_at", n.ProvisionUpdatedAt)),
        new("raid_config", V(12), (w, n, _) => WriteObject(w, "raid_config", n.RaidConfig)),
        new("raid_interface", V(31), (w, n, _) => WriteStringOrNull(w, "raid_interface", n.Interfaces.Raid)),
        new("rescue_interface", V(38), (w, n, _) => WriteStringOrNull(w, "rescue_interface", n.Interfaces.Rescue)),
        new("reservation", V(1), (w, n, _) => WriteStringOrNull(w, "reservation", n.Reservation)),
        new("resource_class", V(21), (w, n, _) => WriteStringOrNull(w, "resource_class", n.ResourceClass)),
        new("retired", V(61), (w, n, _) => w.WriteBoolean("retired", n.Retired)),
        new("retired_reason", V(61), (w, n, _) => WriteStringOrNull(w, "retired_reason", n.RetiredReason)),
        new("secure_boot", V(75), (w, n, _) => WriteBoolOrNull(w, "secure_boot", n.SecureBoot)),
        new("shard", V(82), (w, n, _) => WriteStringOrNull(w, "shard", n.Shard)),
        new("states", V(14), (w, n, c) => WriteLinks(w, "states", c.BaseUrl, $"nodes/{n.Uuid}/states")),
        new("storage_interface", V(33), (w, n, _) => WriteStringOrNull(w, "storage_interface", n.Interfaces.Storage)),
        new("target_power_state", V(1), (w, n, _) => WriteStringOrNull(w, "target_power_state", n.TargetPowerState)),
        new("target_provision_state", V(1),
            (w, n, c) => WriteStringOrNull(w, "target_provision_state", TargetFor(n.TargetProvisionState, c.Version))),
        new("target_raid_config", V(12), (w, n, _) => WriteObject(w, "target_raid_config", n.TargetRaidConfig)),
        new("traits", V(37), (w, n, _) => WriteTraits(w, n)),
        new("updated_at", V(1), (w, n, _) => WriteTimestamp(w, "updated_at", n.UpdatedAt)),
        new("uuid", V(1), (w, n, _) => w.WriteString("uuid", n.Uuid.ToString())),
        new("vendor_interface", V(31), (w, n, _) => WriteStringOrNull(w, "vendor_interface", n.Interfaces.Vendor)),
        new("volume", V(32), (w, n, c) => WriteLinks(w, "volume", c.BaseUrl, $"nodes/{n.Uuid}/volume")),
    ];

    private static readonly Dictionary<string, Field> ByName = Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>The short list view of GET /v1/nodes.</summary>
    private static readonly HashSet<string> ListFields =
        ["instance_uuid", "links", "maintenance", "name", "power_state", "provision_state", "uuid"];

    public static IReadOnlyCollection<string> ListView => ListFields;

    /// <summary>Field names that exist at <paramref name="version"/>.</summary>
    public static bool IsField(string name, ApiVersion version) =>
        ByName.TryGetValue(name, out var f) && f.Since <= version;

    /// <summary>Fields that may not be sent in a request at <paramref name="version"/> (e.g. name before 1.5).</summary>
    public static bool ExistsButNewer(string name, ApiVersion version) =>
        ByName.TryGetValue(name, out var f) && f.Since > version;

    /// <summary>Writes one node; <paramref name="only"/> limits the fields (links always come along).</summary>
    public static void Write(Utf8JsonWriter w, Node node, NodeContext context, IReadOnlyCollection<string>? only = null)
    {
        w.WriteStartObject();
        foreach (var field in Fields)
        {
            if (field.Since > context.Version) continue;
            if (only is not null && field.Name != "links" && !only.Contains(field.Name)) continue;
            field.Write(w, node, context);
        }
        w.WriteEndObject();
    }

    /// <summary>Before 1.2 "available" was shown as null (Ironic's NOSTATE).</summary>
    private static string? ProvisionStateFor(ProvisionState state, ApiVersion version) =>
        state == ProvisionState.Available && version < ApiVersion.AvailableState ? null : state.ToWire();

    private static string? TargetFor(ProvisionState? state, ApiVersion version) =>
        state is { } s ? ProvisionStateFor(s, version) : null;

    private static void WriteTraits(Utf8JsonWriter w, Node n)
    {
        w.WritePropertyName("traits");
        w.WriteStartArray();
        foreach (var t in n.Traits) w.WriteStringValue(t);
        w.WriteEndArray();
    }
}
