using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Conductor;

public sealed partial class Conductor
{
    /// <summary>
    /// Handles PUT /v1/nodes/{n}/states/power: sets target_power_state before returning, then drives the hardware in
    /// the background. Allowed in any provision state and in maintenance, as in Ironic.
    /// </summary>
    /// <param name="identAsGiven">The node as the caller named it; Ironic's error message repeats it.</param>
    public async Task RequestPowerAsync(
        Guid uuid, string identAsGiven, string target, TimeSpan? timeout, CancellationToken ct = default)
    {
        var current = await Store.GetNodeAsync(uuid, ct) ?? throw new NodeNotFoundException(identAsGiven);
        if (!PowerStates.IsTarget(target))
            throw new InvalidStateRequestedException(target, identAsGiven, current.PowerState);

        var task = await AcquireAsync(uuid, $"power {target}", ct);
        try
        {
            var node = task.Node;
            var check = task.Hardware.Power.Validate(node);
            if (!check.Result)
                throw new BifrostException(
                    $"Failed to validate power driver interface for node {node.Uuid}. Error: {check.Reason}");

            node.TargetPowerState = PowerStates.ResultOf(target);
            node.LastError = null;
            await task.SaveAsync(ct);
            Spawn(task, "Power change", (t, c) => RunPowerAsync(t, target, timeout, c));
        }
        finally
        {
            await task.DisposeAsync();
        }
    }

    private async Task RunPowerAsync(NodeTask task, string target, TimeSpan? timeout, CancellationToken ct)
    {
        var node = task.Node;
        var before = node.PowerState;
        var result = PowerStates.ResultOf(target);
        try
        {
            await task.Hardware.Power.SetPowerStateAsync(node, target, timeout ?? Options.PowerStateChangeTimeout, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var error = $"Failed to change power state to '{result}' by '{target}'. Error: {ex.Message}";
            node.TargetPowerState = null;
            node.LastError = error;
            await task.SaveAsync(HistoryEventType.Power, HistorySeverity.Error, error, CancellationToken.None);
            Log.PowerFailed(_log, node.ToString(), target, ex.Message);
            return;
        }

        node.PowerState = result;
        node.TargetPowerState = null;
        await task.SaveAsync(HistoryEventType.Power, HistorySeverity.Info,
            $"{before ?? "None"} → {result} by '{target}'", CancellationToken.None);
        Log.PowerChanged(_log, node.ToString(), before, result);
    }
}
