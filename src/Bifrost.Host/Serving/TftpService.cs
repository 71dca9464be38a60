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
        if (_server is not null) await _server.StopAsync().WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
