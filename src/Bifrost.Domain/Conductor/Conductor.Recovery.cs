using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;

namespace Bifrost.Domain.Conductor;

public sealed partial class Conductor
{
    /// <summary>
    /// States a restart fails: the working states, where only this process's own work moves a node on, and the
    /// agent wait states, because the agent's work cannot be trusted across a crash (docs/agent-protocol.md §4).
    /// </summary>
    private static readonly ProvisionState[] WorkingStates =
    [
        ProvisionState.Verifying, ProvisionState.Deploying, ProvisionState.Cleaning,
        ProvisionState.Inspecting, ProvisionState.Deleting, ProvisionState.Adopting,
        ProvisionState.DeployWait, ProvisionState.CleanWait, ProvisionState.InspectWait,
    ];

    /// <summary>
    /// Start-up recovery (Ironic's _correct_stuck_states): clear this host's reservations, then fail every node left
    /// in a working or wait state through the state machine, with last_error saying the service restarted during that
    /// step; an agent node is powered off (unless Bifrost:Agent:PowerOffOnFailure is false) and its token forgotten.
    /// </summary>
    public async Task<int> RecoverAsync(CancellationToken ct = default)
    {
        var cleared = await Store.ClearReservationsAsync(Options.Host, ct);
        Log.ReservationsCleared(_log, cleared, Options.Host);

        var recovered = 0;
        var stuck = await Store.ListNodesAsync(new NodeQuery { ProvisionStates = WorkingStates, Reserved = false }, ct);
        foreach (var candidate in stuck)
        {
            try
            {
                await using var task = await AcquireAsync(candidate.Uuid, "start-up recovery", ct);
                var state = task.Node.ProvisionState;
                if (FailureEventFor(state) is not { } fail || !WorkingStates.Contains(state)) continue;
                var message = $"Bifrost restarted while the node was in state \"{state.ToWire()}\"; that step did not finish.";
                if (state == ProvisionState.Verifying) task.Node.PowerState = null;
                var agent = RamdiskStates.Contains(state) ? ForgetAgent(task) : null;
                await task.FireAsync(fail, message, ct: ct);
                if (agent is not null) PowerOffAfterFailure(task, agent);
                Log.Recovered(_log, task.Node.ToString(), message);
                recovered++;
            }
            catch (BifrostException ex) when (ex is NodeLockedException or NodeNotFoundException)
            {
                // Another conductor took it, or it is gone: not ours to recover.
            }
        }
        return recovered;
    }

    /// <summary>
    /// The periodic sweep: fails nodes whose wait state outlived its timeout, with last_error naming the timeout.
    /// Returns how many nodes it failed.
    /// </summary>
    public async Task<int> CheckTimeoutsAsync(CancellationToken ct = default)
    {
        var failed = 0;
        foreach (var (state, timeout, option) in new[]
                 {
                     (ProvisionState.DeployWait, Options.DeployCallbackTimeout, "deploy_callback_timeout"),
                     (ProvisionState.CleanWait, Options.CleanCallbackTimeout, "clean_callback_timeout"),
                     (ProvisionState.InspectWait, Options.InspectWaitTimeout, "inspect_wait_timeout"),
                 })
        {
            if (timeout <= TimeSpan.Zero) continue;
            var cutoff = Time.GetUtcNow() - timeout;
            var expired = await Store.ListNodesAsync(
                new NodeQuery { ProvisionStates = [state], Reserved = false, ProvisionUpdatedBefore = cutoff }, ct);
            foreach (var candidate in expired)
            {
                try
                {
                    await using var task = await AcquireAsync(candidate.Uuid, "timeout sweep", ct);
                    var node = task.Node;
                    // Re-check under the lock: an agent may have called back meanwhile.
                    if (node.ProvisionState != state || node.ProvisionUpdatedAt >= cutoff) continue;
                    var message = TimeoutMessage(node, state, option, timeout);
                    var agent = ForgetAgent(task);
                    await task.FireAsync(ProvisionEvent.Fail, message, ct: ct);
                    if (agent is not null) PowerOffAfterFailure(task, agent);
                    Log.TimedOut(_log, node.ToString(), message);
                    failed++;
                }
                catch (BifrostException ex) when (ex is NodeLockedException or NodeNotFoundException)
                {
                    // Busy or gone: the next sweep looks again.
                }
            }
        }
        return failed;
    }

    private static string TimeoutMessage(Node node, ProvisionState state, string option, TimeSpan timeout)
    {
        var limit = $"{option} = {timeout.TotalSeconds:0} s";
        return state switch
        {
            ProvisionState.DeployWait => $"Timeout reached while waiting for callback for node {node.Uuid} ({limit}).",
            ProvisionState.CleanWait =>
                $"Timeout reached while cleaning the node ({limit}). Please check if the ramdisk responsible for the cleaning is running on the node.",
            _ => $"Timeout reached while inspecting the node ({limit}).",
        };
    }

    /// <summary>Runs <see cref="CheckTimeoutsAsync"/> every CheckProvisionStateInterval until stopped.</summary>
    public async Task RunTimeoutSweepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Options.CheckProvisionStateInterval, Time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await CheckTimeoutsAsync(ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                Log.SweepFailed(_log, ex);
            }
        }
    }
}
