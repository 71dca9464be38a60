using Bifrost.Domain.Agent;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Agent;

/// <summary>
/// Booting a node into the deploy ramdisk (docs/agent-protocol.md §4): forget the previous boot's token and
/// command, queue the steps, boot device pxe for the next boot only, then power on (or reboot when on).
/// </summary>
internal static class RamdiskBoot
{
    public static async Task BootAsync(NodeTask task, IReadOnlyList<string> steps, CancellationToken ct)
    {
        var node = task.Node;
        AgentState.ForgetBoot(node);
        AgentState.QueueSteps(node, steps);
        await task.SaveAsync(ct);

        await task.Hardware.Management.SetBootDeviceAsync(node, "pxe", persistent: false, ct);
        var on = await task.Hardware.Power.GetPowerStateAsync(node, ct) == PowerStates.On;
        var target = on ? PowerStates.Rebooting : PowerStates.On;
        await task.Hardware.Power.SetPowerStateAsync(node, target, null, ct);
        var before = node.PowerState;
        node.PowerState = PowerStates.On;
        await task.SaveAsync(HistoryEventType.Agent, HistorySeverity.Info,
            $"booting into the deploy ramdisk for {string.Join(", ", steps)}: boot device pxe (next boot), " +
            $"{(on ? "reboot" : "power on")} ({before ?? "None"} → {PowerStates.On})", ct);
    }
}
