using static Bifrost.Domain.States.ProvisionEvent;
using static Bifrost.Domain.States.ProvisionState;

namespace Bifrost.Domain.States;

/// <summary>One row of the provisioning machine: in <paramref name="From"/>, <paramref name="On"/> leads to <paramref name="To"/>.</summary>
public sealed record Transition(ProvisionState From, ProvisionEvent On, ProvisionState To, string Why);

/// <summary>
/// The provisioning state machine as data, after Ironic's <c>ironic/common/states.py</c> (21.4). Every row is walked
/// by a test; docs/state-machine.md is generated from it. Rows absent here are refused with HTTP 400.
/// </summary>
public static class TransitionTable
{
    public static readonly IReadOnlyList<Transition> Rows =
    [
        // Enrollment and verification.
        new(Enroll, Manage, Verifying, "operator asks to manage: the conductor checks the BMC answers"),
        new(Verifying, Done, Manageable, "power credentials verified"),
        new(Verifying, Fail, Enroll, "power credentials wrong or BMC unreachable: back to enroll with last_error"),

        // Manageable is the workshop: inspect, clean, adopt, or hand over to available.
        new(Manageable, Provide, Cleaning, "make available: automated cleaning first"),
        new(Manageable, Clean, Cleaning, "manual cleaning with explicit clean_steps"),
        new(Manageable, Inspect, Inspecting, "hardware inspection"),
        new(Manageable, Adopt, Adopting, "take over a node that already runs an instance"),
        new(Available, Manage, Manageable, "take an available node back for maintenance work"),

        // Inspection.
        new(Inspecting, Done, Manageable, "inventory stored, properties set"),
        new(Inspecting, Wait, InspectWait, "waiting for the agent's inventory"),
        new(Inspecting, Fail, InspectFailed, "inspection failed"),
        new(InspectWait, Done, Manageable, "the agent's inventory arrived"),
        new(InspectWait, Fail, InspectFailed, "inspection failed or timed out"),
        new(InspectWait, Abort, InspectFailed, "operator aborted inspection"),
        new(InspectFailed, Inspect, Inspecting, "retry inspection"),
        new(InspectFailed, Manage, Manageable, "give up on inspection"),

        // Cleaning (automated on provide and undeploy, manual on clean).
        new(Cleaning, Done, Available, "automated cleaning finished"),
        new(Cleaning, Manage, Manageable, "manual cleaning finished"),
        new(Cleaning, Wait, CleanWait, "waiting for the agent to run clean steps"),
        new(Cleaning, Fail, CleanFailed, "a clean step failed"),
        new(CleanWait, Resume, Cleaning, "the agent called back: continue with the next step"),
        new(CleanWait, Fail, CleanFailed, "a clean step failed or timed out"),
        new(CleanWait, Abort, CleanFailed, "operator aborted cleaning"),
        new(CleanFailed, Manage, Manageable, "operator acknowledges the failed cleaning"),

        // Deployment.
        new(Available, Deploy, Deploying, "deploy an instance"),
        new(Deploying, Done, Active, "instance deployed"),
        new(Deploying, Wait, DeployWait, "waiting for the agent to call back"),
        new(Deploying, Fail, DeployFailed, "deployment failed"),
        new(DeployWait, Resume, Deploying, "the agent called back: continue deploying"),
        new(DeployWait, Fail, DeployFailed, "deployment failed or the call-back timed out"),
        new(DeployWait, Delete, Deleting, "operator gives up on a deploy in progress"),
        new(DeployWait, Abort, DeployFailed, "operator aborted the deploy while waiting for the agent"),
        new(DeployFailed, Deploy, Deploying, "retry the deployment"),
        new(DeployFailed, Rebuild, Deploying, "retry the deployment as a rebuild"),
        new(DeployFailed, Delete, Deleting, "give up on the deployment and clean up"),
        new(Active, Rebuild, Deploying, "redeploy the instance"),

        // Undeploy: tear down, then clean.
        new(Active, Delete, Deleting, "undeploy the instance"),
        new(Deleting, Clean, Cleaning, "instance torn down: clean before the node is available again"),
        new(Deleting, ProvisionEvent.Error, ProvisionState.Error, "tear down failed"),
        new(ProvisionState.Error, Rebuild, Deploying, "recover an errored node by redeploying"),
        new(ProvisionState.Error, Delete, Deleting, "recover an errored node by undeploying"),

        // Adoption.
        new(Adopting, Done, Active, "node adopted as active"),
        new(Adopting, Fail, AdoptFailed, "adoption failed"),
        new(AdoptFailed, Adopt, Adopting, "retry adoption"),
        new(AdoptFailed, Manage, Manageable, "give up on adoption"),
    ];
}
