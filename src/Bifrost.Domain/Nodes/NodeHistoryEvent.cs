namespace Bifrost.Domain.Nodes;

/// <summary>
/// One entry of a node's timeline (Ironic's node history, API 1.78): state changes, power changes, errors.
/// </summary>
public sealed record NodeHistoryEvent
{
    public required Guid Uuid { get; init; }
    public required Guid NodeUuid { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>INFO, WARNING or ERROR, as Ironic spells them.</summary>
    public required string Severity { get; init; }
    /// <summary>What kind of event: provisioning, power, maintenance, conductor, ...</summary>
    public required string EventType { get; init; }
    public required string Event { get; init; }
    public required string Conductor { get; init; }
    public string? User { get; init; }
}

public static class HistorySeverity
{
    public const string Info = "INFO";
    public const string Warning = "WARNING";
    public const string Error = "ERROR";
}

public static class HistoryEventType
{
    public const string Provisioning = "provisioning";
    public const string Power = "power";
    public const string Maintenance = "maintenance";
    public const string Conductor = "conductor";
    public const string Management = "management";
    /// <summary>A DHCP exchange with one of the node's MACs.</summary>
    public const string Dhcp = "dhcp";
    /// <summary>A TFTP transfer to one of the node's MACs (by the address its lease gave it).</summary>
    public const string Tftp = "tftp";
    /// <summary>An HTTP boot hop: the iPXE script, a kernel, a ramdisk or an image fetched.</summary>
    public const string Boot = "boot";
    /// <summary>A BMC conversation (session, power, boot device).</summary>
    public const string Bmc = "bmc";
    /// <summary>The deploy agent: lookup, first heartbeat of a boot, commands issued, progress, results.</summary>
    public const string Agent = "agent";
}
