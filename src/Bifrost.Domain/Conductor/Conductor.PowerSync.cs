using System.Collections.Concurrent;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;
using Microsoft.Extensions.Logging;

namespace Bifrost.Domain.Conductor;

/// <summary>What one power-state sync pass did (for logs, tests and the benchmark).</summary>
public sealed record PowerSyncReport(int Checked, int Changed, int Failed, int PutInMaintenance, int Skipped)
{
    /// <summary>Wall time of the pass (not part of equality, so tests can compare counts).</summary>
    public TimeSpan Elapsed { get; init; }

    public bool Equals(PowerSyncReport? other) =>
        other is not null && (Checked, Changed, Failed, PutInMaintenance, Skipped) ==
        (other.Checked, other.Changed, other.Failed, other.PutInMaintenance, other.Skipped);

    public override int GetHashCode() => HashCode.Combine(Checked, Changed, Failed, PutInMaintenance, Skipped);
}

public sealed partial class Conductor
{
    /// <summary>The fault Bifrost sets when it puts a node into maintenance because its BMC stopped answering
    /// (Ironic's faults.POWER_FAILURE); only nodes with this fault are taken out again by the recovery check.</summary>
    public const string PowerFailureFault = "power failure";

    /// <summary>States whose nodes the sync leaves alone, as Ironic's SYNC_EXCLUDED_STATES: an agent reboots nodes in
    /// the wait states, and an enrolled node's BMC has not been verified yet.</summary>
    private static readonly HashSet<ProvisionState> SyncExcluded =
    [
        ProvisionState.Enroll, ProvisionState.Verifying, ProvisionState.DeployWait, ProvisionState.CleanWait,
        ProvisionState.InspectWait, ProvisionState.Adopting,
    ];

    /// <summary>Consecutive failed power reads per node (Ironic keeps this count in memory too: a restart forgives).</summary>
    private readonly ConcurrentDictionary<Guid, int> _powerSyncFailures = new();

    /// <summary>
    /// One pass of Ironic's _sync_power_states over every node not in maintenance: read the power state from the
    /// hardware (bounded concurrency, no lock held while the BMC is asked); a state that differs from the database is
    /// recorded — the hardware is the truth, nothing is forced — and after PowerStateSyncMaxRetries consecutive
    /// failures the node goes into maintenance with fault "power failure". Locked nodes are skipped: whoever holds the
    /// lock is changing the power state right now.
    /// </summary>
    public async Task<PowerSyncReport> SyncPowerStatesAsync(CancellationToken ct = default)
    {
        int checkedCount = 0, changed = 0, failed = 0, maintenance = 0, skipped = 0;
        var started = Time.GetTimestamp();
        await ForEachNodeAsync(new NodeQuery { Maintenance = false, Reserved = false }, async (candidate, c) =>
        {
            if (SyncExcluded.Contains(candidate.ProvisionState) || !Drivers.Contains(candidate.Driver))
            {
                Interlocked.Increment(ref skipped);
                return;
            }
            Interlocked.Increment(ref checkedCount);
            var outcome = await SyncOneAsync(candidate, c);
            switch (outcome)
            {
                case SyncOutcome.Changed: Interlocked.Increment(ref changed); break;
                case SyncOutcome.Failed: Interlocked.Increment(ref failed); break;
                case SyncOutcome.Maintenance: Interlocked.Increment(ref failed); Interlocked.Increment(ref maintenance); break;
                case SyncOutcome.Skipped: Interlocked.Increment(ref skipped); break;
            }
        }, ct);
        var report = new PowerSyncReport(checkedCount, changed, failed, maintenance, skipped)
        {
            Elapsed = Time.GetElapsedTime(started),
        };
        // A quiet pass is routine: only passes that found something are worth an information line.
        var level = changed + failed > 0 ? LogLevel.Information : LogLevel.Debug;
        Log.PowerSyncPass(_log, level, report.Checked, report.Elapsed.TotalSeconds, report.Changed, report.Failed,
            report.PutInMaintenance);
        return report;
    }

    /// <summary>
    /// Ironic's _power_failure_recovery: every node Bifrost put into maintenance for a power failure whose BMC answers
    /// again leaves maintenance, with its power state refreshed. Maintenance set by an operator is never touched.
    /// </summary>
    public async Task<int> RecoverPowerFailuresAsync(CancellationToken ct = default)
    {
        var recovered = 0;
        await ForEachNodeAsync(new NodeQuery { Maintenance = true, Fault = PowerFailureFault, Reserved = false }, async (candidate, c) =>
        {
            if (!Drivers.Contains(candidate.Driver)) return;
            string? state;
            try
            {
                state = await Drivers.Get(candidate.Driver).Power.GetPowerStateAsync(candidate, c);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !c.IsCancellationRequested)
            {
                Log.PowerStillFailing(_log, candidate.ToString(), ex.Message);
                return;
            }

            await using var task = await TryAcquireAsync(candidate.Uuid, "power failure recovery", c);
            if (task is null) return;
            var node = task.Node;
            if (!node.Maintenance || node.Fault != PowerFailureFault) return; // an operator changed it meanwhile
            node.Maintenance = false;
            node.MaintenanceReason = null;
            node.Fault = null;
            node.PowerState = state;
            node.LastError = null;
            _powerSyncFailures.TryRemove(node.Uuid, out _);
            await task.SaveAsync(HistoryEventType.Maintenance, HistorySeverity.Info,
                $"maintenance cleared: the BMC answers again (power state {state ?? "None"})", c);
            Log.PowerRecovered(_log, node.ToString(), state ?? "None");
            Interlocked.Increment(ref recovered);
        }, ct);
        return recovered;
    }

    private enum SyncOutcome { Same, Changed, Failed, Maintenance, Skipped }

    private async Task<SyncOutcome> SyncOneAsync(Node candidate, CancellationToken ct)
    {
        string? actual;
        try
        {
            actual = await Drivers.Get(candidate.Driver).Power.GetPowerStateAsync(candidate, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return await CountFailureAsync(candidate, ex.Message, ct);
        }

        _powerSyncFailures.TryRemove(candidate.Uuid, out _);
        if (actual is null || actual == candidate.PowerState) return SyncOutcome.Same;

        await using var task = await TryAcquireAsync(candidate.Uuid, "power state sync", ct);
        if (task is null) return SyncOutcome.Skipped;
        var node = task.Node;
        // Re-check under the lock: a power action may have finished between our read and the lock.
        if (node.Maintenance || node.TargetPowerState is not null || node.PowerState == actual) return SyncOutcome.Skipped;
        var before = node.PowerState;
        node.PowerState = actual;
        var message = before is null
            ? $"power state found to be '{actual}'"
            : $"power state changed outside Bifrost: {before} → {actual}";
        await task.SaveAsync(HistoryEventType.Power, before is null ? HistorySeverity.Info : HistorySeverity.Warning, message, ct);
        Log.PowerOutOfSync(_log, node.ToString(), before ?? "None", actual);
        return SyncOutcome.Changed;
    }

    private async Task<SyncOutcome> CountFailureAsync(Node candidate, string error, CancellationToken ct)
    {
        var failures = _powerSyncFailures.AddOrUpdate(candidate.Uuid, 1, (_, n) => n + 1);
        Log.PowerSyncFailed(_log, candidate.ToString(), failures, Options.PowerStateSyncMaxRetries, error);
        if (failures < Options.PowerStateSyncMaxRetries) return SyncOutcome.Failed;

        await using var task = await TryAcquireAsync(candidate.Uuid, "power state sync", ct);
        if (task is null) return SyncOutcome.Failed;
        var node = task.Node;
        if (node.Maintenance) return SyncOutcome.Failed;
        var reason =
            $"During sync_power_state, max retries exceeded for node {node.Uuid}: {failures} consecutive attempts to " +
            $"read the power state failed. Last error: {error}";
        node.Maintenance = true;
        node.MaintenanceReason = reason;
        node.Fault = PowerFailureFault;
        node.LastError = reason;
        node.PowerState = null;
        _powerSyncFailures.TryRemove(node.Uuid, out _);
        await task.SaveAsync(HistoryEventType.Maintenance, HistorySeverity.Error, $"maintenance set: {reason}", ct);
        Log.PowerFailureMaintenance(_log, node.ToString(), failures);
        return SyncOutcome.Maintenance;
    }

    /// <summary>Takes a node's lock without waiting; null when someone holds it or the node is gone.</summary>
    public async Task<NodeTask?> TryAcquireAsync(Guid uuid, string purpose, CancellationToken ct = default)
    {
        if (!await Store.TryReserveAsync(uuid, Options.Host, ct)) return null;
        try
        {
            var node = await Store.GetNodeAsync(uuid, ct);
            if (node is null || !Drivers.Contains(node.Driver))
            {
                await Store.ReleaseAsync(uuid, Options.Host, CancellationToken.None);
                return null;
            }
            Log.LockAcquired(_log, node.Uuid, purpose);
            return new NodeTask(this, node, Drivers.Get(node.Driver), purpose);
        }
        catch
        {
            await Store.ReleaseAsync(uuid, Options.Host, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Pages through the nodes matching <paramref name="query"/> and runs <paramref name="work"/> on each,
    /// at most SyncPowerStateWorkers at a time; one node's exception is logged, never ends the pass.</summary>
    private async Task ForEachNodeAsync(NodeQuery query, Func<Node, CancellationToken, Task> work, CancellationToken ct)
    {
        const int page = 500;
        Guid? marker = null;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.SyncPowerStateWorkers, CancellationToken = ct };
        while (true)
        {
            var nodes = await Store.ListNodesAsync(query with { Limit = page, Marker = marker }, ct);
            if (nodes.Count == 0) return;
            await Parallel.ForEachAsync(nodes, parallel, async (node, c) =>
            {
                try
                {
                    await work(node, c);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !c.IsCancellationRequested)
                {
                    Log.PowerSyncNodeFailed(_log, ex, node.ToString());
                }
            });
            if (nodes.Count < page) return;
            marker = nodes[^1].Uuid;
        }
    }

    /// <summary>Runs the power-state sync every SyncPowerStateInterval and the power-failure recovery every
    /// PowerFailureRecoveryInterval (either disabled by 0) until stopped.</summary>
    public Task RunPowerSyncAsync(CancellationToken ct) => Task.WhenAll(
        RunEveryAsync(Options.SyncPowerStateInterval, SyncPowerStatesAsync, ct),
        RunEveryAsync(Options.PowerFailureRecoveryInterval, RecoverPowerFailuresAsync, ct));

    private async Task RunEveryAsync<T>(TimeSpan interval, Func<CancellationToken, Task<T>> pass, CancellationToken ct)
    {
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await pass(ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    Log.SweepFailed(_log, ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
