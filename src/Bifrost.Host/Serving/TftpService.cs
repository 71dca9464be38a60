using Bifrost.Domain.Timeline;
using Bifrost.Servers.Tftp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bifrost.Host.Serving;

/// <summary>Runs the TFTP server inside the host when <c>Bifrost:Tftp:Listen</c> is set; root <c>StateDir/tftp</c>.</summary>
public sealed class TftpService(TftpServerOptions options, IServiceProvider services) : IHostedService, IAsyncDisposable
{
    private TftpServer? _server;
    private bool _stopped;

    /// <summary>Null while the request socket is bound and the server runs; else why not (for /readyz).</summary>
    public string? NotReadyReason => _stopped ? "stopped" : _server is null ? "socket not bound yet" : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Root);
        _server = new TftpServer(options, new TftpRootFiles(options.Root),
            services.GetRequiredService<ILogger<TftpServer>>(), services.GetRequiredService<BootTimeline>());
        // A port in use or a privileged port without the capability fails start-up with the socket's own message.
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        if (_server is not null) await _server.StopAsync().WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
