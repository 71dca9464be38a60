using Bifrost.Api.Metrics;
using Bifrost.Servers.Dhcp;

namespace Bifrost.Host.Serving;

/// <summary>
/// /readyz for the DHCP server: ready once its sockets are bound (mode off: nothing to bind, always ready); not ready
/// while starting, or with the reason when the server stopped on an error (e.g. the interface vanished).
/// </summary>
public sealed class DhcpReadiness(DhcpServer server) : IReadinessCheck
{
    public string Name => "dhcp";

    public Task<string?> CheckAsync(CancellationToken ct)
    {
        string? reason = server.Ready.Status switch
        {
            TaskStatus.RanToCompletion when server.ExecuteTask is { IsFaulted: true } t =>
                $"stopped: {t.Exception?.GetBaseException().Message}",
            TaskStatus.RanToCompletion => null,
            TaskStatus.Faulted => $"failed to start: {server.Ready.Exception?.GetBaseException().Message}",
            TaskStatus.Canceled => "stopped",
            _ => "sockets not bound yet",
        };
        return Task.FromResult(reason);
    }
}

/// <summary>/readyz for the TFTP server: ready while its request socket is bound and its receive loop runs.</summary>
public sealed class TftpReadiness(TftpService service) : IReadinessCheck
{
    public string Name => "tftp";

    public Task<string?> CheckAsync(CancellationToken ct) => Task.FromResult(service.NotReadyReason);
}
