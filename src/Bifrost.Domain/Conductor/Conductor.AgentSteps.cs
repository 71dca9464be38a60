using Bifrost.Domain.Agent;
using Bifrost.Domain.Drivers.Agent;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;

namespace Bifrost.Domain.Conductor;

/// <summary>The agent flows' second half: acting on results, finishing, failing (docs/agent-protocol.md §4).</summary>
public sealed partial class Conductor
{
    /// <summary>Acts on a succeeded command once; returns why the result is unusable, or null.</summary>
    private async Task<string?> ActOnResultAsync(
        NodeTask task, InFlightCommand command, CommandReport report, List<(string Severity, string Line)> history, CancellationToken ct)
    {
        var node = task.Node;
        var result = report.Result;
        switch (command.Name)
        {
            case AgentCommands.Inspect:
            {
                if (!InspectionData.TryRead(result["inventory"], RootDeviceHints.From(node.Properties), out var data, out var error))
                    return error;
                await Store.SaveInventoryAsync(node.Uuid,
                    new NodeInventory((System.Text.Json.Nodes.JsonObject)result["inventory"]!.DeepClone(), new(), Time.GetUtcNow()), ct);
                data!.ApplyTo(node.Properties);
                var added = new List<string>();
                foreach (var mac in data.Macs)
                {
                    if (await Store.GetPortByAddressAsync(mac, ct) is not null) continue;
                    await Store.CreatePortAsync(new Port { Uuid = Guid.NewGuid(), Address = mac, NodeUuid = node.Uuid }, ct);
                    added.Add(mac);
                }
                history.Add((HistorySeverity.Info, $"inventory ({command.Id}): {data.Summary()}" +
                    (added.Count > 0 ? $"; new ports {string.Join(", ", added)}" : "; no new ports")));
                return null;
            }
            case AgentCommands.EraseDevicesMetadata or AgentCommands.EraseDevices:
            {
                if (!CleanReport.TryRead(result, out var disks, out var error)) return error;
                node.DriverInternalInfo[AgentState.CleanReportKey] = result.DeepClone();
                foreach (var d in disks)
                    history.Add((d.Ok ? HistorySeverity.Info : HistorySeverity.Error, $"{command.Name} ({command.Id}): {d.Line()}"));
                if (disks.Count == 0) history.Add((HistorySeverity.Warning, $"{command.Name} ({command.Id}): the agent found no disk to clean"));
                return disks.FirstOrDefault(d => !d.Ok) is { } bad ? $"disk {bad.Device}: {bad.Error ?? "failed"}" : null;
            }
            case AgentCommands.WriteImage:
            {
                var image = AgentState.Image(node);
                var expected = image?["hash"]?.ToString() ?? "";
                var algo = image?["hash_algo"]?.ToString() ?? "";
                var actual = result["hash"]?.ToString() ?? "";
                if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
                    return $"the image written has {algo} {(actual.Length > 0 ? actual : "(none reported)")}, expected {expected}";
                var device = result["device"]?.ToString() ?? "?";
                var drive = result["configdrive"]?.ToString();
                history.Add((HistorySeverity.Info,
                    $"image written ({command.Id}) to {device}: {result["bytes_written"]?.ToString() ?? "?"} bytes in " +
                    $"{result["duration_s"]?.ToString() ?? "?"} s, {algo} verified" +
                    (string.IsNullOrEmpty(drive) ? "" : $", config drive on {drive}")));
                return null;
            }
            default:
                history.Add((HistorySeverity.Info, $"{command.Name} ({command.Id}) succeeded"));
                return null;
        }
    }

    /// <summary>No step left: finish in the background with the node's lock (the heartbeat returns at once).</summary>
    private async Task FinishAsync(NodeTask task, CancellationToken ct)
    {
        var node = task.Node;
        switch (node.ProvisionState)
        {
            case ProvisionState.DeployWait:
                await task.FireAsync(ProvisionEvent.Resume, ct: ct);
                Spawn(task, "Deployment", async (t, c) =>
                {
                    var n = t.Node;
                    await t.Hardware.Management.SetBootDeviceAsync(n, "disk", persistent: true, c);
                    await t.Hardware.Power.SetPowerStateAsync(n, PowerStates.Rebooting, null, c);
                    n.PowerState = PowerStates.On;
                    AgentState.ForgetAll(n);
                    await t.SaveAsync(HistoryEventType.Agent, HistorySeverity.Info,
                        "instance written: boot device disk (persistent), rebooting into it", c);
                    await t.FireAsync(ProvisionEvent.Done, ct: c);
                });
                break;
            case ProvisionState.CleanWait:
                await task.FireAsync(ProvisionEvent.Resume, ct: ct);
                Spawn(task, "Cleaning", async (t, c) =>
                {
                    await PowerOffAsync(t, "cleaning finished", c);
                    t.Node.CleanStep = new System.Text.Json.Nodes.JsonObject();
                    var finish = t.Node.TargetProvisionState == ProvisionState.Manageable ? ProvisionEvent.Manage : ProvisionEvent.Done;
                    await t.FireAsync(finish, ct: c);
                });
                break;
            case ProvisionState.InspectWait:
                Spawn(task, "Inspection", async (t, c) =>
                {
                    await PowerOffAsync(t, "inspection finished", c);
                    t.Node.InspectionFinishedAt = Time.GetUtcNow();
                    await t.FireAsync(ProvisionEvent.Done, ct: c);
                });
                break;
        }
    }

    private static async Task PowerOffAsync(NodeTask task, string why, CancellationToken ct)
    {
        var node = task.Node;
        await task.Hardware.Power.SetPowerStateAsync(node, PowerStates.Off, null, ct);
        var before = node.PowerState;
        node.PowerState = PowerStates.Off;
        AgentState.ForgetAll(node);
        await task.SaveAsync(HistoryEventType.Power, HistorySeverity.Info, $"{why}: {before ?? "None"} → {PowerStates.Off}", ct);
    }

    /// <summary>A step failed on the agent: log tail in the history, token forgotten, failure state, power off.</summary>
    /// <param name="lastError">The failure's last_error; default <c>&lt;step&gt; failed on the agent: &lt;message&gt;</c>.</param>
    private async Task FailOnAgentAsync(NodeTask task, AgentDeploy agent, string step, string message, string logTail,
        List<(string Severity, string Line)> history, CancellationToken ct, string? lastError = null)
    {
        var node = task.Node;
        if (logTail.Length > 0) history.Add((HistorySeverity.Error, $"agent log tail of {step}:\n{logTail}"));
        foreach (var (severity, line) in history) await task.RecordAsync(HistoryEventType.Agent, severity, line, ct);
        history.Clear();
        Log.AgentStepFailed(_log, node.ToString(), step, message);
        AgentState.ForgetAll(node);
        await task.FireAsync(ProvisionEvent.Fail, lastError ?? $"{step} failed on the agent: {message}", ct: ct);
        PowerOffAfterFailure(task, agent);
    }

    /// <summary>
    /// The common end of an agent flow that failed, timed out or was aborted, called after the failure state was
    /// fired: powers the node off in the background unless Bifrost:Agent:PowerOffOnFailure is false. Never changes
    /// last_error: the failure's own message stays.
    /// </summary>
    private void PowerOffAfterFailure(NodeTask task, AgentDeploy agent)
    {
        if (!agent.Options.PowerOffOnFailure) return;
        Spawn(task, "Power off after failure", async (t, c) =>
        {
            try
            {
                await PowerOffAsync(t, "powered off after the failure", c);
            }
            catch (Exception ex) when (!c.IsCancellationRequested)
            {
                Log.PowerOffAfterFailureFailed(_log, t.Node.ToString(), ex.Message);
                await t.RecordAsync(HistoryEventType.Power, HistorySeverity.Error,
                    $"could not power off after the failure: {ex.Message}", CancellationToken.None);
            }
        });
    }

    /// <summary>Before failing an agent node from outside a heartbeat (abort, timeout, restart): forget its token
    /// and queued work. Returns the node's agent interface, or null for other hardware (left untouched).</summary>
    private static AgentDeploy? ForgetAgent(NodeTask task)
    {
        if (AgentOf(task.Hardware) is not { } agent) return null;
        AgentState.ForgetAll(task.Node);
        return agent;
    }

    /// <summary>Abort: immediate transition; an agent node's token is forgotten and the node powered off.</summary>
    private async Task AbortAsync(NodeTask task, CancellationToken ct)
    {
        var agent = RamdiskStates.Contains(task.Node.ProvisionState) ? ForgetAgent(task) : null;
        await task.FireAsync(ProvisionEvent.Abort, AbortMessage(task.Node), ct: ct);
        if (agent is not null) PowerOffAfterFailure(task, agent);
    }

    /// <summary>Rejects manual clean steps the node's deploy interface cannot run, before anything happens.</summary>
    private static void CheckCleanSteps(NodeTask task, ProvisionRequest request)
    {
        if (AgentOf(task.Hardware) is not null && request.CleanSteps is { } steps) AgentDeploy.CleanStepNames(steps);
    }

}
