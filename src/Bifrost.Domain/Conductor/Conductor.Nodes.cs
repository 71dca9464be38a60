using Bifrost.Domain.Drivers;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Conductor;

public sealed partial class Conductor
{
    /// <summary>
    /// Enrolls a node from what the API parsed: checks driver, interfaces and name, fills in uuid, defaults and the
    /// initial state (enroll; available for API versions before 1.11), and stores it.
    /// </summary>
    public async Task<Node> CreateNodeAsync(Node draft, ProvisionState initialState, CancellationToken ct = default)
    {
        var hardware = Drivers.Get(draft.Driver);
        if (draft.Name is not null && !Identifiers.IsValidNodeName(draft.Name))
            throw new BifrostException($"Cannot create node with invalid name '{draft.Name}'");

        var node = draft.Clone();
        if (node.Uuid == Guid.Empty) node.Uuid = Guid.NewGuid();
        node.Interfaces = Drivers.ResolveInterfaces(hardware, draft.Interfaces);
        node.ProvisionState = initialState;
        node.TargetProvisionState = null;
        node.Reservation = null;
        node.CreatedAt = Time.GetUtcNow();
        node.UpdatedAt = null;
        await Store.CreateNodeAsync(node, ct);
        Log.NodeCreated(_log, node.ToString(), node.Driver, node.ProvisionState.ToWire());
        return await Store.GetNodeAsync(node.Uuid, ct) ?? throw new NodeNotFoundException(node.Uuid.ToString());
    }

    /// <summary>
    /// Applies an update under the node's lock (409 while another operation holds it), re-checks driver,
    /// interfaces and name, and saves. <paramref name="resetInterfaces"/> resets interfaces on a driver change.
    /// </summary>
    public async Task<Node> UpdateNodeAsync(
        Guid uuid, Action<Node> apply, bool resetInterfaces = false, CancellationToken ct = default)
    {
        await using (var task = await AcquireAsync(uuid, "node update", ct))
        {
            var node = task.Node;
            var before = node.Clone();
            apply(node);

            if (node.Name != before.Name && node.Name is not null && !Identifiers.IsValidNodeName(node.Name))
                throw new BifrostException($"Cannot update node with invalid name '{node.Name}'");
            if (node.Driver != before.Driver || node.Interfaces != before.Interfaces)
            {
                var hardware = Drivers.Get(node.Driver);
                var requested = resetInterfaces && node.Driver != before.Driver ? new NodeInterfaces() : node.Interfaces;
                node.Interfaces = Drivers.ResolveInterfaces(hardware, requested);
            }
            await task.SaveAsync(ct);
        }
        // Read back after the lock is released, so the answer shows no reservation (as Ironic's does).
        return await Store.GetNodeAsync(uuid, ct) ?? throw new NodeNotFoundException(uuid.ToString());
    }

    /// <summary>Deletes a node and its ports; refused while it holds an instance unless it is in maintenance.</summary>
    public async Task DeleteNodeAsync(Guid uuid, CancellationToken ct = default)
    {
        await using var task = await AcquireAsync(uuid, "node delete", ct);
        var node = task.Node;
        if (!node.Maintenance && !ProvisionStates.DeleteAllowed.Contains(node.ProvisionState))
        {
            var allowed = string.Join(", ", ProvisionStates.DeleteAllowed.Select(s => $"'{s.ToWire()}'"));
            throw new BifrostException(
                $"Can not delete node \"{node.Uuid}\" while it is in provision state \"{node.ProvisionState.ToWire()}\". " +
                $"Valid provision states to perform deletion are: \"({allowed})\", or set the node into maintenance mode",
                ErrorKind.Conflict);
        }
        if (node.Protected)
            throw new BifrostException(
                $"Node {node.Uuid} is protected and cannot be undeployed, rebuilt or deleted", ErrorKind.Conflict);

        await Store.DeleteNodeAsync(uuid, ct);
        task.HandedOff = true; // the row is gone with its reservation; nothing to release
        Log.NodeDeleted(_log, node.ToString());
    }

    /// <summary>Puts a node into maintenance (or takes it out), with an operator's reason.</summary>
    public async Task SetMaintenanceAsync(Guid uuid, bool on, string? reason, CancellationToken ct = default)
    {
        await using var task = await AcquireAsync(uuid, on ? "maintenance set" : "maintenance unset", ct);
        var node = task.Node;
        node.Maintenance = on;
        node.MaintenanceReason = on ? reason : null;
        if (!on) node.Fault = null;
        var message = on ? $"maintenance set{(reason is null ? "" : $": {reason}")}" : "maintenance cleared";
        await task.SaveAsync(HistoryEventType.Maintenance, HistorySeverity.Info, message, ct);
        Log.Maintenance(_log, node.ToString(), on ? "on" : "off", reason ?? "");
    }

    /// <summary>Every interface's hardware-free validation, keyed by interface type (GET .../validate).</summary>
    public IReadOnlyList<(string Interface, ValidationResult Result)> Validate(Node node)
    {
        var hardware = Drivers.Get(node.Driver);
        return hardware.All.Select(i => (i.Type, Safe(i.Impl, node))).ToList();

        static ValidationResult Safe(IDriverInterface impl, Node node)
        {
            try { return impl.Validate(node); }
            catch (BifrostException e) { return ValidationResult.Fail(e.Message); }
        }
    }

    public IReadOnlyList<string> SupportedBootDevices(Node node) =>
        Drivers.Get(node.Driver).Management.SupportedBootDevices(node);

    public async Task<BootDeviceInfo> GetBootDeviceAsync(Node node, CancellationToken ct = default)
    {
        var management = Drivers.Get(node.Driver).Management;
        RequireValid(management, node, "management");
        return await management.GetBootDeviceAsync(node, ct);
    }

    /// <summary>Sets the boot device under the node's lock (Ironic does this synchronously, answering 204).</summary>
    public async Task SetBootDeviceAsync(Guid uuid, string device, bool persistent, CancellationToken ct = default)
    {
        await using var task = await AcquireAsync(uuid, "setting boot device", ct);
        var management = task.Hardware.Management;
        if (!management.SupportedBootDevices(task.Node).Contains(device))
            throw new BifrostException($"Invalid boot device {device} specified.");
        RequireValid(management, task.Node, "management");
        await management.SetBootDeviceAsync(task.Node, device, persistent, ct);
        await task.SaveAsync(HistoryEventType.Management, HistorySeverity.Info,
            $"boot device set to {device}{(persistent ? " (persistent)" : "")}", ct);
    }

    private static void RequireValid(IDriverInterface impl, Node node, string what)
    {
        var v = impl.Validate(node);
        if (!v.Result)
            throw new BifrostException($"Failed to validate {what} info for node {node.Uuid}. Error: {v.Reason}");
    }
}
