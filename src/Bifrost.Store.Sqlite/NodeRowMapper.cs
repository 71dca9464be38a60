using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Microsoft.Data.Sqlite;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

/// <summary>
/// The one place that knows which node field is which column. Reads go by ordinal in <see cref="SelectColumns"/>
/// order and writes bind one parameter per column (named like it), so a list of 1,000 nodes costs no name lookups
/// and no reflection. The SQL texts are built once.
/// </summary>
internal static class NodeRowMapper
{
    /// <summary>Columns a save rewrites: all but uuid, created_at, reservation (owned by the lock calls) and updated_at.</summary>
    private static readonly string[] MutableColumns =
    [
        "name", "driver",
        "bios_interface", "boot_interface", "console_interface", "deploy_interface", "inspect_interface",
        "management_interface", "network_interface", "power_interface", "raid_interface", "rescue_interface",
        "storage_interface", "vendor_interface",
        "provision_state", "target_provision_state", "provision_updated_at",
        "power_state", "target_power_state",
        "maintenance", "maintenance_reason", "fault", "last_error",
        "driver_info", "driver_internal_info", "properties", "instance_info", "extra", "clean_step", "deploy_step",
        "raid_config", "target_raid_config", "network_data", "traits",
        "instance_uuid", "chassis_uuid", "allocation_uuid", "resource_class", "description", "owner", "lessee",
        "conductor_group", "shard", "automated_clean", "protected", "protected_reason", "retired", "retired_reason",
        "console_enabled", "boot_mode", "secure_boot", "inspection_started_at", "inspection_finished_at",
    ];

    private static readonly string[] FixedColumns = ["uuid", "created_at", "updated_at", "reservation"];

    /// <summary>The SELECT list <see cref="Read"/> expects, unqualified (the queries select from nodes alone).</summary>
    public static readonly string SelectColumns = string.Join(", ", [.. FixedColumns, .. MutableColumns]);

    public static readonly string InsertSql =
        $"INSERT INTO nodes ({SelectColumns}) VALUES ({string.Join(", ", FixedColumns.Concat(MutableColumns).Select(c => "@" + c))})";

    /// <summary>
    /// The conditional save: it only matches while the stored reservation is what the caller believes it holds
    /// (<c>IS</c> so that "nobody" matches NULL). It returns the row id (for the history insert); no row means
    /// gone or lost the lock, and the caller tells which.
    /// </summary>
    public static readonly string UpdateSql =
        $"UPDATE nodes SET {string.Join(", ", MutableColumns.Select(c => $"{c} = @{c}"))}, updated_at = @updated_at " +
        "WHERE uuid = @uuid AND reservation IS @reservation RETURNING id";

    public static void BindAll(SqliteParameterCollection p, Node node)
    {
        p.Add("@uuid", Uuid(node.Uuid));
        p.Add("@created_at", Timestamp(node.CreatedAt));
        p.Add("@updated_at", Timestamp(node.UpdatedAt));
        p.Add("@reservation", Db(node.Reservation));
        BindMutable(p, node);
    }

    /// <summary>Binds everything <see cref="UpdateSql"/> needs except @updated_at, which the store's clock sets.</summary>
    public static void BindForUpdate(SqliteParameterCollection p, Node node)
    {
        p.Add("@uuid", Uuid(node.Uuid));
        p.Add("@reservation", Db(node.Reservation));
        BindMutable(p, node);
    }

    private static void BindMutable(SqliteParameterCollection p, Node n)
    {
        p.Add("@name", Db(n.Name));
        p.Add("@driver", n.Driver);
        var i = n.Interfaces;
        p.Add("@bios_interface", Db(i.Bios));
        p.Add("@boot_interface", Db(i.Boot));
        p.Add("@console_interface", Db(i.Console));
        p.Add("@deploy_interface", Db(i.Deploy));
        p.Add("@inspect_interface", Db(i.Inspect));
        p.Add("@management_interface", Db(i.Management));
        p.Add("@network_interface", Db(i.Network));
        p.Add("@power_interface", Db(i.Power));
        p.Add("@raid_interface", Db(i.Raid));
        p.Add("@rescue_interface", Db(i.Rescue));
        p.Add("@storage_interface", Db(i.Storage));
        p.Add("@vendor_interface", Db(i.Vendor));
        p.Add("@provision_state", n.ProvisionState.ToWire());
        p.Add("@target_provision_state", Db(n.TargetProvisionState?.ToWire()));
        p.Add("@provision_updated_at", Timestamp(n.ProvisionUpdatedAt));
        p.Add("@power_state", Db(n.PowerState));
        p.Add("@target_power_state", Db(n.TargetPowerState));
        p.Add("@maintenance", Db(n.Maintenance));
        p.Add("@maintenance_reason", Db(n.MaintenanceReason));
        p.Add("@fault", Db(n.Fault));
        p.Add("@last_error", Db(n.LastError));
        p.Add("@driver_info", Json(n.DriverInfo));
        p.Add("@driver_internal_info", Json(n.DriverInternalInfo));
        p.Add("@properties", Json(n.Properties));
        p.Add("@instance_info", Json(n.InstanceInfo));
        p.Add("@extra", Json(n.Extra));
        p.Add("@clean_step", Json(n.CleanStep));
        p.Add("@deploy_step", Json(n.DeployStep));
        p.Add("@raid_config", Json(n.RaidConfig));
        p.Add("@target_raid_config", Json(n.TargetRaidConfig));
        p.Add("@network_data", Json(n.NetworkData));
        p.Add("@traits", Json(n.Traits));
        p.Add("@instance_uuid", Db(n.InstanceUuid));
        p.Add("@chassis_uuid", Db(n.ChassisUuid));
        p.Add("@allocation_uuid", Db(n.AllocationUuid));
        p.Add("@resource_class", Db(n.ResourceClass));
        p.Add("@description", Db(n.Description));
        p.Add("@owner", Db(n.Owner));
        p.Add("@lessee", Db(n.Lessee));
        p.Add("@conductor_group", n.ConductorGroup);
        p.Add("@shard", Db(n.Shard));
        p.Add("@automated_clean", Db(n.AutomatedClean));
        p.Add("@protected", Db(n.Protected));
        p.Add("@protected_reason", Db(n.ProtectedReason));
        p.Add("@retired", Db(n.Retired));
        p.Add("@retired_reason", Db(n.RetiredReason));
        p.Add("@console_enabled", Db(n.ConsoleEnabled));
        p.Add("@boot_mode", Db(n.BootMode));
        p.Add("@secure_boot", Db(n.SecureBoot));
        p.Add("@inspection_started_at", Timestamp(n.InspectionStartedAt));
        p.Add("@inspection_finished_at", Timestamp(n.InspectionFinishedAt));
    }

    /// <summary>Reads the current row, whose columns are <see cref="SelectColumns"/> in order.</summary>
    public static Node Read(RawStatement r)
    {
        var c = 0;
        return new Node
        {
            Uuid = r.Uuid(c++),
            CreatedAt = r.Timestamp(c++),
            UpdatedAt = r.NullableTimestamp(c++),
            Reservation = r.Text(c++),
            Name = r.Text(c++),
            Driver = r.RequiredText(c++),
            Interfaces = new NodeInterfaces
            {
                Bios = r.Text(c++),
                Boot = r.Text(c++),
                Console = r.Text(c++),
                Deploy = r.Text(c++),
                Inspect = r.Text(c++),
                Management = r.Text(c++),
                Network = r.Text(c++),
                Power = r.Text(c++),
                Raid = r.Text(c++),
                Rescue = r.Text(c++),
                Storage = r.Text(c++),
                Vendor = r.Text(c++),
            },
            ProvisionState = ProvisionStates.Parse(r.RequiredText(c++)),
            TargetProvisionState = r.Text(c++) is { } target ? ProvisionStates.Parse(target) : null,
            ProvisionUpdatedAt = r.NullableTimestamp(c++),
            PowerState = r.Text(c++),
            TargetPowerState = r.Text(c++),
            Maintenance = r.Flag(c++),
            MaintenanceReason = r.Text(c++),
            Fault = r.Text(c++),
            LastError = r.Text(c++),
            DriverInfo = r.JsonObject(c++),
            DriverInternalInfo = r.JsonObject(c++),
            Properties = r.JsonObject(c++),
            InstanceInfo = r.JsonObject(c++),
            Extra = r.JsonObject(c++),
            CleanStep = r.JsonObject(c++),
            DeployStep = r.JsonObject(c++),
            RaidConfig = r.JsonObject(c++),
            TargetRaidConfig = r.JsonObject(c++),
            NetworkData = r.JsonObject(c++),
            Traits = r.StringList(c++),
            InstanceUuid = r.Text(c++),
            ChassisUuid = r.Text(c++),
            AllocationUuid = r.Text(c++),
            ResourceClass = r.Text(c++),
            Description = r.Text(c++),
            Owner = r.Text(c++),
            Lessee = r.Text(c++),
            ConductorGroup = r.RequiredText(c++),
            Shard = r.Text(c++),
            AutomatedClean = r.NullableFlag(c++),
            Protected = r.Flag(c++),
            ProtectedReason = r.Text(c++),
            Retired = r.Flag(c++),
            RetiredReason = r.Text(c++),
            ConsoleEnabled = r.Flag(c++),
            BootMode = r.Text(c++),
            SecureBoot = r.NullableFlag(c++),
            InspectionStartedAt = r.NullableTimestamp(c++),
            InspectionFinishedAt = r.NullableTimestamp(c++),
        };
    }
}
