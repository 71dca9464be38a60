using System.Net;
using Bifrost.Api.Metrics;
using Bifrost.Host.Serving;
using Bifrost.TestKit;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

/// <summary>/readyz includes the servers Bifrost was configured to run ("servers bound").</summary>
public class ReadinessTests
{
    [Test]
    public async Task Readyz_reports_the_tftp_server_bound_and_names_it_once_it_stops()
    {
        await using var server = await BifrostServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bifrost:Tftp:Listen"] = $"127.0.0.1:{Net.FreeUdpPort()}",
        });
        var checks = server.Services.GetServices<IReadinessCheck>().Select(c => c.Name).ToList();
        Assert.That(checks, Does.Contain("tftp"));
        Assert.That(checks, Does.Not.Contain("dhcp"), "DHCP is off: nothing to bind, nothing to report");

        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using (var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative)))
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ready.Content.ReadAsStringAsync());

        await server.Services.GetRequiredService<TftpService>().StopAsync(CancellationToken.None);

        using var stopped = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.That(stopped.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await stopped.Content.ReadAsStringAsync(), Does.Contain("tftp: stopped"));
    }

    [Test]
    public async Task Without_tftp_or_dhcp_configured_no_server_check_is_registered()
    {
        await using var server = await BifrostServer.StartAsync();
        Assert.That(server.Services.GetServices<IReadinessCheck>().Select(c => c.Name),
            Has.None.EqualTo("tftp").And.None.EqualTo("dhcp"));
    }
}
