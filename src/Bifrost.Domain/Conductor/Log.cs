using Microsoft.Extensions.Logging;

namespace Bifrost.Domain.Conductor;

/// <summary>Conductor log events with stable ids. Never pass driver_info or instance_info here: they hold secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "node {Node}: {From} → {To} (target {Target}) {LastError}")]
    public static partial void Transition(ILogger log, string node, string from, string to, string target, string? lastError);

    [LoggerMessage(1001, LogLevel.Debug, "node {Node}: lock taken for {Purpose}")]
    public static partial void LockAcquired(ILogger log, Guid node, string purpose);

    [LoggerMessage(1002, LogLevel.Warning, "node {Node}: {Step} failed")]
    public static partial void StepFailed(ILogger log, Exception ex, string node, string step);

    [LoggerMessage(1003, LogLevel.Error, "node {Node}: could not record a failure")]
    public static partial void CouldNotRecordFailure(ILogger log, Exception ex, string node);

    [LoggerMessage(1004, LogLevel.Warning, "node {Node}: shutting down during {State}; start-up recovery will handle it")]
    public static partial void LeftForRecovery(ILogger log, string node, string state);

    [LoggerMessage(1005, LogLevel.Information, "start-up recovery: cleared {Count} reservation(s) held by {Host}")]
    public static partial void ReservationsCleared(ILogger log, int count, string host);

    [LoggerMessage(1006, LogLevel.Warning, "node {Node}: {Message}")]
    public static partial void Recovered(ILogger log, string node, string message);

    [LoggerMessage(1007, LogLevel.Warning, "node {Node}: {Message}")]
    public static partial void TimedOut(ILogger log, string node, string message);

    [LoggerMessage(1008, LogLevel.Information, "node {Node}: power {From} → {To}")]
    public static partial void PowerChanged(ILogger log, string node, string? from, string to);

    [LoggerMessage(1009, LogLevel.Warning, "node {Node}: power change to {Target} failed: {Error}")]
    public static partial void PowerFailed(ILogger log, string node, string target, string error);

    [LoggerMessage(1010, LogLevel.Error, "timeout sweep failed")]
    public static partial void SweepFailed(ILogger log, Exception ex);

    [LoggerMessage(1011, LogLevel.Information, "node {Node}: maintenance {State} {Reason}")]
    public static partial void Maintenance(ILogger log, string node, string state, string? reason);

    [LoggerMessage(1012, LogLevel.Information, "node {Node} created (driver {Driver}, state {State})")]
    public static partial void NodeCreated(ILogger log, string node, string driver, string state);

    [LoggerMessage(1013, LogLevel.Information, "node {Node} deleted")]
    public static partial void NodeDeleted(ILogger log, string node);

    [LoggerMessage(EventId = 1014, Message = "power sync: {Nodes} node(s) checked in {Seconds:0.000} s, {Changed} changed, {Failed} failed, {Maintenance} put in maintenance")]
    public static partial void PowerSyncPass(ILogger log, LogLevel level, int nodes, double seconds, int changed, int failed, int maintenance);

    [LoggerMessage(1015, LogLevel.Warning, "node {Node}: power state changed outside Bifrost: {From} → {To}")]
    public static partial void PowerOutOfSync(ILogger log, string node, string from, string to);

    [LoggerMessage(1016, LogLevel.Warning, "node {Node}: power sync failed ({Count} of {Max}): {Error}")]
    public static partial void PowerSyncFailed(ILogger log, string node, int count, int max, string error);

    [LoggerMessage(1017, LogLevel.Error, "node {Node}: put into maintenance (fault \"power failure\") after {Count} failed power reads")]
    public static partial void PowerFailureMaintenance(ILogger log, string node, int count);

    [LoggerMessage(1018, LogLevel.Information, "node {Node}: BMC answers again (power {State}); maintenance cleared")]
    public static partial void PowerRecovered(ILogger log, string node, string state);

    [LoggerMessage(1019, LogLevel.Debug, "node {Node}: BMC still not answering: {Error}")]
    public static partial void PowerStillFailing(ILogger log, string node, string error);

    [LoggerMessage(1020, LogLevel.Error, "node {Node}: power sync of this node failed")]
    public static partial void PowerSyncNodeFailed(ILogger log, Exception ex, string node);
}
