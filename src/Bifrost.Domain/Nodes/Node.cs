using System.Text.Json.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Nodes;

/// <summary>
/// A bare-metal node as Ironic models it. Mutable: a <see cref="Conductor.NodeTask"/> holding the node's lock
/// changes it and saves it; everything else reads copies from the store. Field names follow Ironic's API.
/// </summary>
public sealed class Node
{
    public Guid Uuid { get; set; }
    public string? Name { get; set; }
    public string Driver { get; set; } = "";
    public NodeInterfaces Interfaces { get; set; } = new();

    public ProvisionState ProvisionState { get; set; } = ProvisionState.Enroll;
    public ProvisionState? TargetProvisionState { get; set; }
    public DateTimeOffset? ProvisionUpdatedAt { get; set; }

    /// <summary>Wire value from <see cref="PowerStates"/>, or null when never read.</summary>
    public string? PowerState { get; set; }
    public string? TargetPowerState { get; set; }

    public bool Maintenance { get; set; }
    public string? MaintenanceReason { get; set; }
    /// <summary>Why Bifrost itself put the node in maintenance (e.g. "power failure"); null when an operator did.</summary>
    public string? Fault { get; set; }
    public string? LastError { get; set; }
    /// <summary>Host name of the conductor holding the node's exclusive lock, or null.</summary>
    public string? Reservation { get; set; }

    public JsonObject DriverInfo { get; set; } = new();
    public JsonObject DriverInternalInfo { get; set; } = new();
    public JsonObject Properties { get; set; } = new();
    public JsonObject InstanceInfo { get; set; } = new();
    public JsonObject Extra { get; set; } = new();
    public JsonObject CleanStep { get; set; } = new();
    public JsonObject DeployStep { get; set; } = new();
    public JsonObject RaidConfig { get; set; } = new();
    public JsonObject TargetRaidConfig { get; set; } = new();
    public JsonObject NetworkData { get; set; } = new();
    public List<string> Traits { get; set; } = [];

    public string? InstanceUuid { get; set; }
    public string? ChassisUuid { get; set; }
    public string? AllocationUuid { get; set; }
    public string? ResourceClass { get; set; }
    public string? Description { get; set; }
    public string? Owner { get; set; }
    public string? Lessee { get; set; }
    public string ConductorGroup { get; set; } = "";
    public string? Shard { get; set; }
    public bool? AutomatedClean { get; set; }
    public bool Protected { get; set; }
    public string? ProtectedReason { get; set; }
    public bool Retired { get; set; }
    public string? RetiredReason { get; set; }
    public bool ConsoleEnabled { get; set; }
    public string? BootMode { get; set; }
    public bool? SecureBoot { get; set; }

    public DateTimeOffset? InspectionStartedAt { get; set; }
    public DateTimeOffset? InspectionFinishedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>A deep copy, so a caller can change one without touching another's.</summary>
    public Node Clone()
    {
        var copy = (Node)MemberwiseClone();
        copy.Interfaces = Interfaces with { };
        copy.DriverInfo = CloneObject(DriverInfo);
        copy.DriverInternalInfo = CloneObject(DriverInternalInfo);
        copy.Properties = CloneObject(Properties);
        copy.InstanceInfo = CloneObject(InstanceInfo);
        copy.Extra = CloneObject(Extra);
        copy.CleanStep = CloneObject(CleanStep);
        copy.DeployStep = CloneObject(DeployStep);
        copy.RaidConfig = CloneObject(RaidConfig);
        copy.TargetRaidConfig = CloneObject(TargetRaidConfig);
        copy.NetworkData = CloneObject(NetworkData);
        copy.Traits = [.. Traits];
        return copy;
    }

    /// <summary>"name (uuid)" when named, for log lines and messages.</summary>
    public override string ToString() => Name is null ? Uuid.ToString() : $"{Name} ({Uuid})";

    private static JsonObject CloneObject(JsonObject o) => (JsonObject)o.DeepClone();
}

/// <summary>The driver interfaces a node uses, one name per interface type, as in Ironic's <c>*_interface</c> fields.</summary>
public sealed record NodeInterfaces
{
    public string? Bios { get; init; }
    public string? Boot { get; init; }
    public string? Console { get; init; }
    public string? Deploy { get; init; }
    public string? Inspect { get; init; }
    public string? Management { get; init; }
    public string? Network { get; init; }
    public string? Power { get; init; }
    public string? Raid { get; init; }
    public string? Rescue { get; init; }
    public string? Storage { get; init; }
    public string? Vendor { get; init; }
}
