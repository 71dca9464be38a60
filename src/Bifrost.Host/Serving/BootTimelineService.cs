using Bifrost.Domain.Timeline;
using Microsoft.Extensions.Hosting;

namespace Bifrost.Host.Serving;

/// <summary>Runs the boot timeline's writer (DHCP/TFTP/HTTP hops → node history) for the daemon's lifetime.</summary>
internal sealed class BootTimelineService(BootTimeline timeline) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => timeline.RunAsync(stoppingToken);
}
