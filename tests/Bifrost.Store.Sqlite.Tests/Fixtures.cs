using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Store.Sqlite.Tests;

/// <summary>Entities with every field set to something other than its default, and a field-by-field comparison.</summary>
internal static class Fixtures
{
    // Odd ticks and a non-UTC offset: the store must keep all 7 fractional digits and the instant.
    public static readonly DateTimeOffset T0 = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)).AddTicks(1_234_567);

    public static Node FullNode(string name = "node-1") => new()
    {
        Uuid = Guid.NewGuid(),
        Name = name,
        Driver = "ipmi",
        Interfaces = new NodeInterfaces
        {
            Bios = "no-bios", Boot = "ipxe", Console = "no-console", Deploy = "direct", Inspect = "agent",
            Management = "ipmitool", Network = "noop", Power = "ipmitool", Raid = "no-raid", Rescue = "no-rescue",
            Storage = "noop", Vendor = "ipmitool",
        },
        ProvisionState = ProvisionState.DeployWait,
        TargetProvisionState = ProvisionState.Active,
        ProvisionUpdatedAt = T0.AddMinutes(1),
        PowerState = PowerStates.On,
        TargetPowerState = PowerStates.Off,
        Maintenance = true,
        MaintenanceReason = "fan replaced",
        Fault = "power failure",
        LastError = "Timeout waiting for the agent",
        Reservation = "conductor-a",
        DriverInfo = new JsonObject { ["ipmi_address"] = "10.0.0.5", ["ipmi_port"] = 623, ["ipmi_password"] = "s3cr3t+<&>" },
        DriverInternalInfo = new JsonObject { ["agent_url"] = "http://10.0.0.9:9999", ["nested"] = new JsonObject { ["a"] = new JsonArray(1, 2, 3) } },
        Properties = new JsonObject { ["cpus"] = 64, ["memory_mb"] = 262144, ["local_gb"] = 1.5, ["capabilities"] = "boot_mode:uefi" },
        InstanceInfo = new JsonObject { ["image_source"] = "http://img/ubuntu.qcow2", ["image_checksum"] = "sha256:ab" },
        Extra = new JsonObject { ["rack"] = "r1", ["note"] = "ünïcødé ✓", ["flag"] = true, ["nothing"] = null },
        CleanStep = new JsonObject { ["step"] = "erase_devices_metadata", ["priority"] = 99 },
        DeployStep = new JsonObject { ["step"] = "write_image", ["interface"] = "deploy" },
        RaidConfig = new JsonObject { ["logical_disks"] = new JsonArray() },
        TargetRaidConfig = new JsonObject { ["logical_disks"] = new JsonArray(new JsonObject { ["size_gb"] = "MAX" }) },
        NetworkData = new JsonObject { ["links"] = new JsonArray(), ["services"] = new JsonArray("dns") },
        Traits = ["CUSTOM_GPU", "HW_CPU_X86_AVX2"],
        InstanceUuid = Guid.NewGuid().ToString(),
        ChassisUuid = Guid.NewGuid().ToString(),
        AllocationUuid = Guid.NewGuid().ToString(),
        ResourceClass = "baremetal.large",
        Description = "rack 1, slot 4",
        Owner = "team-a",
        Lessee = "team-b",
        ConductorGroup = "rack1",
        Shard = "shard-1",
        AutomatedClean = false,
        Protected = true,
        ProtectedReason = "production",
        Retired = true,
        RetiredReason = "old",
        ConsoleEnabled = true,
        BootMode = "uefi",
        SecureBoot = true,
        InspectionStartedAt = T0.AddMinutes(2),
        InspectionFinishedAt = T0.AddMinutes(3).AddTicks(1),
        CreatedAt = T0,
        UpdatedAt = T0.AddSeconds(30),
    };

    public static Port FullPort(Node node, string address = "52:54:00:12:34:56") => new()
    {
        Uuid = Guid.NewGuid(),
        Address = address,
        NodeUuid = node.Uuid,
        PxeEnabled = false,
        PhysicalNetwork = "physnet1",
        IsSmartNic = true,
        Extra = new JsonObject { ["label"] = "eth0" },
        InternalInfo = new JsonObject { ["tenant_vif_port_id"] = "x" },
        LocalLinkConnection = new JsonObject { ["switch_id"] = "aa:bb:cc:dd:ee:ff", ["port_id"] = "Ethernet1/1" },
        CreatedAt = T0.AddTicks(7),
        UpdatedAt = T0.AddHours(1),
    };

    /// <summary>Names of public properties whose values differ (JSON deeply, lists by content).</summary>
    public static List<string> Differences<T>(T expected, T actual)
    {
        var differences = new List<string>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var e = property.GetValue(expected);
            var a = property.GetValue(actual);
            if (!SameValue(e, a)) differences.Add($"{property.Name}: expected {Show(e)}, got {Show(a)}");
        }

        return differences;
    }

    /// <summary>Properties still at the value a new instance has: the fixture would not test them.</summary>
    public static List<string> Defaults<T>(T value) where T : new()
    {
        var blank = new T();
        return [.. typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => SameValue(p.GetValue(blank), p.GetValue(value)))
            .Select(p => p.Name)];
    }

    private static bool SameValue(object? e, object? a) => (e, a) switch
    {
        (null, null) => true,
        (JsonNode je, JsonNode ja) => JsonNode.DeepEquals(je, ja),
        (string se, string sa) => se == sa,
        (IEnumerable le, IEnumerable la) => le.Cast<object?>().SequenceEqual(la.Cast<object?>()),
        _ => Equals(e, a),
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        JsonNode j => j.ToJsonString(),
        string s => $"\"{s}\"",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>()) + "]",
        _ => value.ToString() ?? "",
    };
}
