using Bifrost.Domain.States;

namespace Bifrost.Domain.Errors;

/// <summary>What kind of failure an error is; the API maps each kind to one HTTP status in one place.</summary>
public enum ErrorKind
{
    /// <summary>The request is wrong (HTTP 400).</summary>
    Invalid,
    /// <summary>The thing named does not exist (HTTP 404).</summary>
    NotFound,
    /// <summary>A duplicate or a locked node (HTTP 409); the Ironic client retries these.</summary>
    Conflict,
    /// <summary>The requested API version is not served (HTTP 406).</summary>
    NotAcceptable,
    /// <summary>Bifrost or a driver failed (HTTP 500).</summary>
    Internal,
}

/// <summary>
/// Base of every error the API shows to a user. The message is Ironic's faultstring, so it must never carry a
/// secret (no passwords, tokens or credentialed URLs).
/// </summary>
public class BifrostException(string message, ErrorKind kind = ErrorKind.Invalid, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;
}

public sealed class NodeNotFoundException(string ident)
    : BifrostException($"Node {ident} could not be found.", ErrorKind.NotFound);

public sealed class PortNotFoundException(string ident)
    : BifrostException($"Port {ident} could not be found.", ErrorKind.NotFound);

public sealed class NodeLockedException(string node, string host)
    : BifrostException(
        $"Node {node} is locked by host {host}, please retry after the current operation is completed.",
        ErrorKind.Conflict);

public sealed class DuplicateNameException(string name)
    : BifrostException($"A node with name {name} already exists.", ErrorKind.Conflict);

public sealed class DuplicateUuidException(string what, Guid uuid)
    : BifrostException($"A {what} with UUID {uuid} already exists.", ErrorKind.Conflict);

public sealed class DuplicateMacException(string mac)
    : BifrostException($"A port with MAC address {mac} already exists.", ErrorKind.Conflict);

public sealed class InvalidTransitionException(ProvisionState from, ProvisionEvent ev)
    : BifrostException($"Event {ev.ToWire()} is not allowed in state {from.ToWire()}.")
{
    public ProvisionState From { get; } = from;
    public ProvisionEvent Event { get; } = ev;
}

/// <summary>Ironic's InvalidStateRequested: an action the node's current state does not allow.</summary>
public sealed class InvalidStateRequestedException(string action, string node, string? state)
    : BifrostException(
        $"The requested action \"{action}\" can not be performed on node \"{node}\" while it is in state \"{state ?? "None"}\".");

public sealed class NodeInMaintenanceException(Guid node)
    : BifrostException(
        $"The provisioning operation can't be performed on node {node} because it's in maintenance mode.");

/// <summary>A driver could not do what was asked (BMC unreachable, bad credentials, ...).</summary>
public class DriverOperationException(string message, Exception? inner = null)
    : BifrostException(message, ErrorKind.Internal, inner);
