using System.Collections.Concurrent;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;
using Microsoft.Extensions.Logging;

namespace Bifrost.Domain.Conductor;

/// <summary>
/// Owns every change to a node: takes its lock, fires state-machine events through one choke point, runs long work
/// in the background while holding the lock, sweeps timed-out waits and recovers after a crash. Split by flow across
/// partial files (Nodes, Provisioning, Power, Recovery), as Ironic split its conductor manager.
/// </summary>
public sealed partial class Conductor
{
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<Task, string> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    public Conductor(
        INodeStore store, DriverRegistry drivers, ConductorOptions options, TimeProvider time, ILogger<Conductor> log)
    {
        Store = store;
        Drivers = drivers;
        Options = options;
        Time = time;
        _log = log;
    }

    public INodeStore Store { get; }
    public DriverRegistry Drivers { get; }
    public ConductorOptions Options { get; }
    public TimeProvider Time { get; }

    /// <summary>Finds a node by UUID, or by name when <paramref name="allowName"/> (API ≥ 1.5).</summary>
    public async Task<Node> GetNodeAsync(string ident, bool allowName = true, CancellationToken ct = default)
    {
        Node? node = null;
        if (Guid.TryParse(ident, out var uuid)) node = await Store.GetNodeAsync(uuid, ct);
        else if (allowName && Identifiers.IsValidNodeName(ident)) node = await Store.GetNodeByNameAsync(ident, ct);
        return node ?? throw new NodeNotFoundException(ident);
    }

    /// <summary>
    /// Takes the node's exclusive lock (a conditional UPDATE on its reservation), waiting up to
    /// <see cref="ConductorOptions.LockWait"/>; then re-reads the node under the lock.
    /// </summary>
    public async Task<NodeTask> AcquireAsync(Guid uuid, string purpose, CancellationToken ct = default)
    {
        var deadline = Time.GetUtcNow() + Options.LockWait;
        while (!await Store.TryReserveAsync(uuid, Options.Host, ct))
        {
            if (Time.GetUtcNow() >= deadline)
            {
                var holder = (await Store.GetNodeAsync(uuid, ct))?.Reservation ?? "unknown";
                throw new NodeLockedException(uuid.ToString(), holder);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), Time, ct);
        }

        try
        {
            var node = await Store.GetNodeAsync(uuid, ct) ?? throw new NodeNotFoundException(uuid.ToString());
            Log.LockAcquired(_log, node.Uuid, purpose);
            return new NodeTask(this, node, Drivers.Get(node.Driver), purpose);
        }
        catch
        {
            await Store.ReleaseAsync(uuid, Options.Host, CancellationToken.None);
            throw;
        }
    }

    internal async Task FireAsync(
        NodeTask task, ProvisionEvent ev, string? lastError, ProvisionState? target, CancellationToken ct)
    {
        var node = task.Node;
        var result = StateMachine.Fire(node.ProvisionState, node.TargetProvisionState, ev, target);
        node.ProvisionState = result.To;
        node.TargetProvisionState = result.Target;
        node.ProvisionUpdatedAt = Time.GetUtcNow();
        if (lastError is not null) node.LastError = lastError;

        var line = $"{result.From.ToWire()} → {result.To.ToWire()} (target {result.Target?.ToWire() ?? "none"}) on {ev.ToWire()}";
        if (lastError is not null) line += $": {lastError}";
        var severity = lastError is null ? HistorySeverity.Info : HistorySeverity.Error;
        await Store.SaveNodeAsync(node, NewHistory(node, HistoryEventType.Provisioning, severity, line), ct);
        ConductorMetrics.Transitions.Add(1, new KeyValuePair<string, object?>("from", result.From.ToWire()),
            new KeyValuePair<string, object?>("to", result.To.ToWire()), new KeyValuePair<string, object?>("event", ev.ToWire()));
        Log.Transition(_log, node.ToString(), result.From.ToWire(), result.To.ToWire(),
            result.Target?.ToWire() ?? "none", lastError ?? "");
    }

    internal NodeHistoryEvent NewHistory(Node node, string eventType, string severity, string message) => new()
    {
        Uuid = Guid.NewGuid(),
        NodeUuid = node.Uuid,
        CreatedAt = Time.GetUtcNow(),
        Severity = severity,
        EventType = eventType,
        Event = message,
        Conductor = Options.Host,
    };

    /// <summary>
    /// Hands the locked node to background work. The lock is released when the work ends; an exception the work
    /// lets escape moves the node to its failure state with the error in last_error.
    /// </summary>
    internal void Spawn(NodeTask task, string step, Func<NodeTask, CancellationToken, Task> work)
    {
        task.HandedOff = true;
        var ct = _stopping.Token;
        var run = Task.Run(async () =>
        {
            try
            {
                await work(task, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Shutting down: start-up recovery fails the node with a clear reason next time.
                Log.LeftForRecovery(_log, task.Node.ToString(), task.Node.ProvisionState.ToWire());
            }
            catch (Exception ex)
            {
                await FailAfterErrorAsync(task, step, ex);
            }
            finally
            {
                await task.ReleaseAsync();
            }
        }, CancellationToken.None);
        _running[run] = task.Node.Uuid.ToString();
        run.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task FailAfterErrorAsync(NodeTask task, string step, Exception ex)
    {
        var node = task.Node;
        var message = $"{step} failed: {ex.Message}";
        Log.StepFailed(_log, ex, node.ToString(), step);
        try
        {
            // An agent node's token must not outlive the failed step (docs/agent-protocol.md §1).
            ForgetAgent(task);
            if (FailureEventFor(node.ProvisionState) is { } fail) await task.FireAsync(fail, message);
            else
            {
                node.LastError = message;
                await task.SaveAsync(HistoryEventType.Conductor, HistorySeverity.Error, message);
            }
        }
        catch (Exception saveError)
        {
            Log.CouldNotRecordFailure(_log, saveError, node.ToString());
        }
    }

    /// <summary>The event that moves a node out of a working state when its work fails.</summary>
    internal static ProvisionEvent? FailureEventFor(ProvisionState state) => state switch
    {
        ProvisionState.Verifying or ProvisionState.Deploying or ProvisionState.DeployWait
            or ProvisionState.Cleaning or ProvisionState.CleanWait or ProvisionState.Inspecting
            or ProvisionState.InspectWait or ProvisionState.Adopting => ProvisionEvent.Fail,
        ProvisionState.Deleting => ProvisionEvent.Error,
        _ => null,
    };

    /// <summary>Waits for background work to finish (for tests and orderly shutdown).</summary>
    public async Task WaitIdleAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_running.IsEmpty && DateTime.UtcNow < deadline)
            await Task.WhenAny(Task.WhenAll(_running.Keys), Task.Delay(50));
    }

    /// <summary>Cancels background work and waits for it to stop, at most <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync();
        await WaitIdleAsync(grace);
    }
}
