using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bifrost.Host.Systemd;

/// <summary>
/// Tells systemd where the daemon is in its life: READY=1 once every listener is bound, STOPPING=1 when shutdown
/// begins, WATCHDOG=1 at half of <c>$WATCHDOG_USEC</c> while the host runs.
/// </summary>
/// <remarks>
/// READY is sent by <see cref="ReadyAsync"/>, which the serve command calls after <c>WebApplication.StartAsync</c>
/// returns: by then Kestrel has bound every API endpoint and every hosted service's <c>StartAsync</c> has completed
/// (hosted services start before the server). A server that binds its sockets in <c>StartAsync</c> (DHCP, TFTP, HTTP
/// boot) is therefore covered without further wiring; one that binds later must finish binding before its
/// <c>StartAsync</c> returns, or READY would be a lie.
/// </remarks>
public sealed partial class SystemdLifecycle(SystemdNotifier notifier, TimeSpan? watchdog, ILogger<SystemdLifecycle> logger)
    : IDisposable
{
    private CancellationTokenSource? _watchdogStop;
    private Task? _watchdogLoop;

    public Task ReadyAsync(IHostApplicationLifetime lifetime, string status)
    {
        if (!notifier.IsActive) return Task.CompletedTask;
        Send($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}");
        lifetime.ApplicationStopping.Register(() => Send("STOPPING=1\nSTATUS=stopping"));
        if (watchdog is { } interval)
        {
            _watchdogStop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            _watchdogLoop = WatchdogLoopAsync(interval, _watchdogStop.Token);
            Log.Watchdog(logger, interval.TotalSeconds);
        }
        return Task.CompletedTask;
    }

    /// <summary>A timer, not a health check: it proves the thread pool still runs, which is what a hang breaks.</summary>
    private async Task WatchdogLoopAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) Send("WATCHDOG=1");
        }
        catch (OperationCanceledException) { }
    }

    private void Send(string state)
    {
        if (notifier.Notify(state) is { } error) Log.NotifyFailed(logger, state.Split('\n')[0], error);
    }

    public void Dispose()
    {
        _watchdogStop?.Cancel();
        try { _watchdogLoop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _watchdogStop?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "systemd notification {State} failed: {Error}")]
        public static partial void NotifyFailed(ILogger logger, string state, string error);

        [LoggerMessage(2, LogLevel.Debug, "systemd watchdog: WATCHDOG=1 every {Seconds} s")]
        public static partial void Watchdog(ILogger logger, double seconds);
    }
}
