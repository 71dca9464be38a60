using Bifrost.Domain.Drivers;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Conductor;

public sealed partial class Conductor
{
    /// <summary>
    /// Handles PUT /v1/nodes/{n}/states/provision: checks maintenance and the transition table, takes the lock, fires
    /// the verb's event before returning (so the caller already sees the transitional state and target), then runs
    /// the rest in the background.
    /// </summary>
    public async Task RequestProvisionAsync(
        Guid uuid, string verb, ProvisionRequest request, CancellationToken ct = default)
    {
        var node = await Store.GetNodeAsync(uuid, ct) ?? throw new NodeNotFoundException(uuid.ToString());
        if (!ProvisionVerbs.TryParse(verb, out var ev))
            throw new InvalidStateRequestedException(verb, node.Uuid.ToString(), node.ProvisionState.ToWire());
        if (node.Maintenance && ev != ProvisionEvent.Abort) throw new NodeInMaintenanceException(node.Uuid);
        if (ev == ProvisionEvent.Clean && request.CleanSteps is null)
            throw new BifrostException("\"clean_steps\" is required when setting target provision state to clean");
        if (node.Protected && ev is ProvisionEvent.Deploy or ProvisionEvent.Rebuild or ProvisionEvent.Delete
            && node.ProvisionState == ProvisionState.Active)
            throw new BifrostException($"Node {node.Uuid} is protected and cannot be undeployed, rebuilt or deleted");

        var task = await AcquireAsync(uuid, $"provision action {verb}", ct);
        try
        {
            node = task.Node;
            if (!StateMachine.CanFire(node.ProvisionState, ev))
                throw new InvalidStateRequestedException(verb, node.Uuid.ToString(), node.ProvisionState.ToWire());
            await StartAsync(task, ev, request, ct);
        }
        finally
        {
            await task.DisposeAsync(); // releases only when no background work took the task over
        }
    }

    private async Task StartAsync(NodeTask task, ProvisionEvent ev, ProvisionRequest request, CancellationToken ct)
    {
        var node = task.Node;
        var hw = task.Hardware;
        switch (ev)
        {
            case ProvisionEvent.Manage when node.ProvisionState == ProvisionState.Enroll:
                node.LastError = null;
                await task.FireAsync(ev, ct: ct);
                Spawn(task, "Verification", RunVerifyAsync);
                break;

            case ProvisionEvent.Manage:
                // Immediate transition: available/clean failed/... → manageable.
                await task.FireAsync(ev, ct: ct);
                break;

            case ProvisionEvent.Abort:
                // Immediate transition out of a wait state; an agent node is also powered off (Conductor.AgentSteps).
                await AbortAsync(task, ct);
                break;

            case ProvisionEvent.Provide:
                node.LastError = null;
                await task.FireAsync(ev, target: ProvisionState.Available, ct: ct);
                Spawn(task, "Cleaning", (t, c) => RunCleanAsync(t, null, c));
                break;

            case ProvisionEvent.Clean:
                CheckCleanSteps(task, request);
                node.LastError = null;
                await task.FireAsync(ev, target: ProvisionState.Manageable, ct: ct);
                Spawn(task, "Cleaning", (t, c) => RunCleanAsync(t, request.CleanSteps, c));
                break;

            case ProvisionEvent.Inspect:
                Require(node, "inspection", hw.Inspect, hw.Power);
                node.LastError = null;
                node.InspectionStartedAt = Time.GetUtcNow();
                node.InspectionFinishedAt = null;
                await task.FireAsync(ev, ct: ct);
                Spawn(task, "Inspection", RunInspectAsync);
                break;

            case ProvisionEvent.Deploy or ProvisionEvent.Rebuild:
                Require(node, "deploy", hw.Deploy, hw.Power);
                node.LastError = null;
                if (request.ConfigDrive is not null) node.InstanceInfo["configdrive"] = request.ConfigDrive.DeepClone();
                await task.FireAsync(ev, ct: ct);
                Spawn(task, "Deployment", RunDeployAsync);
                break;

            case ProvisionEvent.Delete:
                node.LastError = null;
                await task.FireAsync(ev, ct: ct);
                Spawn(task, "Tear down", RunTearDownAsync);
                break;

            case ProvisionEvent.Adopt:
                Require(node, "adoption", hw.Deploy, hw.Power);
                node.LastError = null;
                await task.FireAsync(ev, ct: ct);
                Spawn(task, "Adoption", RunAdoptAsync);
                break;

            default:
                throw new InvalidStateRequestedException(ev.ToWire(), node.Uuid.ToString(), node.ProvisionState.ToWire());
        }
    }

    /// <summary>Ironic's pre-flight check: the interfaces an action needs must validate, else HTTP 400.</summary>
    private static void Require(Node node, string action, params IDriverInterface[] interfaces)
    {
        foreach (var i in interfaces)
        {
            var v = i.Validate(node);
            if (!v.Result)
                throw new BifrostException(
                    $"Failed to validate {action} or power info for node {node.Uuid}. Error: {v.Reason}");
        }
    }

    private static string AbortMessage(Node node) => node.ProvisionState switch
    {
        ProvisionState.CleanWait => $"By request, the clean operation was aborted for node {node.Uuid}.",
        ProvisionState.InspectWait => "By request, the inspection was aborted.",
        _ => $"By request, the operation was aborted in state {node.ProvisionState.ToWire()}.",
    };
}
