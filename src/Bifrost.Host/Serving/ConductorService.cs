using Bifrost.Domain.Conductor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bifrost.Host.Serving;

/// <summary>
/// Runs the conductor's life cycle inside the host: start-up recovery before the API serves, the timeout sweep and the
/// power-state sync while running, and an orderly stop of background work on shutdown.
/// </summary>
public sealed partial class ConductorService(Conductor conductor, ILogger<ConductorService> log) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _sweep;
    private Task? _powerSync;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var recovered = await conductor.RecoverAsync(cancellationToken);
        if (recovered > 0) LogRecovered(log, recovered);
        _sweep = Task.Run(() => conductor.RunTimeoutSweepAsync(_stop.Token), CancellationToken.None);
        _powerSync = Task.Run(() => conductor.RunPowerSyncAsync(_stop.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        foreach (var loop in new[] { _sweep, _powerSync })
        {
            if (loop is null) continue;
            try { await loop.WaitAsync(cancellationToken); }
            catch (OperationCanceledException) { }
        }
        await conductor.StopAsync(TimeSpan.FromSeconds(10));
    }

    public void Dispose() => _stop.Dispose();

    [LoggerMessage(3000, LogLevel.Warning, "start-up recovery failed {Count} node(s) left mid-step by the previous run")]
    private static partial void LogRecovered(ILogger log, int count);
}
