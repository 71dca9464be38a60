using System.Text.Json.Nodes;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Conductor;

/// <summary>
/// The background half of each provision verb, run while the node's lock is held (see <see cref="Spawn"/>). An
/// exception escaping a flow fails the node with the step's name in last_error.
/// </summary>
public sealed partial class Conductor
{
    private async Task RunVerifyAsync(NodeTask task, CancellationToken ct)
    {
        var node = task.Node;
        var power = task.Hardware.Power;
        var check = power.Validate(node);
        if (!check.Result)
        {
            await task.FireAsync(ProvisionEvent.Fail,
                $"Failed to validate power driver interface for node {node.Uuid}. Error: {check.Reason}", ct: ct);
            return;
        }

        string? state;
        try
        {
            state = await power.GetPowerStateAsync(node, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await task.FireAsync(ProvisionEvent.Fail,
                $"Failed to get power state for node {node.Uuid}. Error: {ex.Message}", ct: ct);
            return;
        }
        node.PowerState = state;
        await task.FireAsync(ProvisionEvent.Done, ct: ct);
    }

    private async Task RunCleanAsync(NodeTask task, IReadOnlyList<JsonObject>? steps, CancellationToken ct)
    {
        var node = task.Node;
        var automated = steps is null;
        if (!automated || (node.AutomatedClean ?? Options.AutomatedClean))
        {
            node.CleanStep = new JsonObject();
            var outcome = await task.Hardware.Deploy.CleanAsync(task, steps, ct);
            if (outcome == StepOutcome.Wait)
            {
                await task.FireAsync(ProvisionEvent.Wait, ct: ct);
                return;
            }
        }
        node.CleanStep = new JsonObject();
        // Manual cleaning returns to manageable ("manage"); automated cleaning ends in available ("done").
        var finish = node.TargetProvisionState == ProvisionState.Manageable ? ProvisionEvent.Manage : ProvisionEvent.Done;
        await task.FireAsync(finish, ct: ct);
    }

    private async Task RunInspectAsync(NodeTask task, CancellationToken ct)
    {
        var outcome = await task.Hardware.Inspect.InspectAsync(task, ct);
        if (outcome == StepOutcome.Wait)
        {
            await task.FireAsync(ProvisionEvent.Wait, ct: ct);
            return;
        }
        task.Node.InspectionFinishedAt = Time.GetUtcNow();
        await task.FireAsync(ProvisionEvent.Done, ct: ct);
    }

    private async Task RunDeployAsync(NodeTask task, CancellationToken ct)
    {
        var outcome = await task.Hardware.Deploy.DeployAsync(task, ct);
        await task.FireAsync(outcome == StepOutcome.Wait ? ProvisionEvent.Wait : ProvisionEvent.Done, ct: ct);
    }

    private async Task RunTearDownAsync(NodeTask task, CancellationToken ct)
    {
        var node = task.Node;
        await task.Hardware.Deploy.TearDownAsync(task, ct);
        // The instance is gone: forget what was deployed (Ironic clears instance_info and instance_uuid too).
        node.InstanceInfo = new JsonObject();
        node.InstanceUuid = null;
        await task.FireAsync(ProvisionEvent.Clean, ct: ct);
        await RunCleanAsync(task, null, ct);
    }

    private async Task RunAdoptAsync(NodeTask task, CancellationToken ct)
    {
        await task.Hardware.Deploy.AdoptAsync(task, ct);
        await task.FireAsync(ProvisionEvent.Done, ct: ct);
    }
}
