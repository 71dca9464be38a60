using System.Text.Json.Nodes;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers;

/// <summary>The answer of an interface's Validate: never touches hardware (Ironic's validate contract).</summary>
public sealed record ValidationResult(bool Result, string? Reason = null)
{
    public static readonly ValidationResult Ok = new(true);
    public static ValidationResult Fail(string reason) => new(false, reason);
}

/// <summary>What a long step did: finished, or started something the node will call back about.</summary>
public enum StepOutcome { Done, Wait }

/// <summary>Common to every driver interface: its name (as in <c>*_interface</c>) and a hardware-free check.</summary>
public interface IDriverInterface
{
    string Name { get; }
    ValidationResult Validate(Node node);
}

public interface IPowerInterface : IDriverInterface
{
    /// <summary>Reads the power state from the hardware: a <see cref="PowerStates"/> value (null: unknown).</summary>
    Task<string?> GetPowerStateAsync(Node node, CancellationToken ct);

    /// <summary>Drives the node to <paramref name="target"/> (a <see cref="PowerStates.Targets"/> value) and waits
    /// until it is there, up to <paramref name="timeout"/> (the configured default when null).</summary>
    Task SetPowerStateAsync(Node node, string target, TimeSpan? timeout, CancellationToken ct);
}

public sealed record BootDeviceInfo(string? BootDevice, bool? Persistent);

public interface IManagementInterface : IDriverInterface
{
    IReadOnlyList<string> SupportedBootDevices(Node node);
    Task<BootDeviceInfo> GetBootDeviceAsync(Node node, CancellationToken ct);
    /// <summary>Sets the next (or every, when persistent) boot device. May record what it did in
    /// <c>node.DriverInternalInfo</c>; the caller saves the node.</summary>
    Task SetBootDeviceAsync(Node node, string device, bool persistent, CancellationToken ct);
}

public interface IBootInterface : IDriverInterface;

public interface IDeployInterface : IDriverInterface
{
    /// <summary>Deploys the instance: Done when the node is active, Wait when an agent will call back.</summary>
    Task<StepOutcome> DeployAsync(NodeTask task, CancellationToken ct);

    /// <summary>Tears the instance down before cleaning.</summary>
    Task TearDownAsync(NodeTask task, CancellationToken ct);

    /// <summary>Runs clean steps: the automated ones when <paramref name="steps"/> is null.</summary>
    Task<StepOutcome> CleanAsync(NodeTask task, IReadOnlyList<JsonObject>? steps, CancellationToken ct);

    /// <summary>Checks an instance is there to adopt, without touching it.</summary>
    Task AdoptAsync(NodeTask task, CancellationToken ct);
}

public interface IInspectInterface : IDriverInterface
{
    Task<StepOutcome> InspectAsync(NodeTask task, CancellationToken ct);
}

/// <summary>An interface type a hardware type does not implement (Ironic's no-bios, no-console, ...).</summary>
public sealed class UnsupportedInterface(string name, string driver, string interfaceType) : IDriverInterface
{
    public string Name { get; } = name;

    public ValidationResult Validate(Node node) =>
        ValidationResult.Fail($"Driver {driver} does not support {interfaceType} (disabled or not implemented).");
}

/// <summary>An interface that has nothing to do and always validates (noop network and storage).</summary>
public sealed class NoopInterface(string name = "noop") : IDriverInterface
{
    public string Name { get; } = name;
    public ValidationResult Validate(Node node) => ValidationResult.Ok;
}
