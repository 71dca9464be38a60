using Bifrost.Domain.Timeline;
using Microsoft.Extensions.Hosting;

namespace Bifrost.Host.Serving;

/// <summary>Writes the boot timeline's queued hops (DHCP, TFTP, HTTP boot) into node history while the daemon runs.</summary>
public sealed class BootTimelineService(BootTimeline timeline) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => timeline.RunAsync(stoppingToken);
}
