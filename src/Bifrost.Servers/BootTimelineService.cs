using Bifrost.Domain.Timeline;
using Microsoft.Extensions.Hosting;

namespace Bifrost.Servers;

/// <summary>Runs the boot timeline's writer (DHCP, TFTP and HTTP hops → node history) for the daemon's lifetime.</summary>
public sealed class BootTimelineService(BootTimeline timeline) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => timeline.RunAsync(stoppingToken);
}
