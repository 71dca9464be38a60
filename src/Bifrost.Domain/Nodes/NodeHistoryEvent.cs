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
}
