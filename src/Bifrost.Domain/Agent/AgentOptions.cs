namespace Bifrost.Domain.Agent;

/// <summary>The deploy agent's settings (<c>Bifrost:Agent:*</c>), read by the agent deploy and inspect interfaces.</summary>
public sealed record AgentOptions
{
    /// <summary>Erase step automated cleaning runs.</summary>
    public const string CleanMetadata = "metadata";
    public const string CleanFull = "full";

    /// <summary>How often the agent heartbeats (told in the lookup answer and in <c>none</c> commands).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Power a node off when its agent work fails, times out or is aborted.</summary>
    public bool PowerOffOnFailure { get; init; } = true;

    /// <summary><see cref="CleanMetadata"/> (erase_devices_metadata) or <see cref="CleanFull"/> (erase_devices).</summary>
    public string CleanMethod { get; init; } = CleanMetadata;

    /// <summary>Base URL of the HTTP boot server the agent downloads images from; null = http://(the address the
    /// agent reached the API on):<see cref="ImageServerPort"/>.</summary>
    public string? ImageServerUrl { get; init; }

    /// <summary>The HTTP boot server's port (Bifrost:Boot:Listen), for the default <see cref="ImageServerUrl"/>.</summary>
    public int? ImageServerPort { get; init; }

    /// <summary>The erase step automated cleaning runs.</summary>
    public string AutomatedCleanStep => CleanMethod == CleanFull ? AgentCommands.EraseDevices : AgentCommands.EraseDevicesMetadata;
}
