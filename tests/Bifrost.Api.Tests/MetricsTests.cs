using System.Diagnostics.Metrics;
using System.Net;
using Bifrost.Api.Endpoints;
using Bifrost.Api.Metrics;
using Bifrost.Domain.Store;
using Bifrost.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Bifrost.Api.Tests;

/// <summary>/metrics (parsed strictly), /healthz and /readyz of a running Bifrost.</summary>
public sealed class MetricsTests : ApiFixture
{
    private async Task<PrometheusScrape> ScrapeAsync()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseUri };
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.ToString(), Does.StartWith("text/plain").And.Contain("version=0.0.4"));
        return PrometheusScrape.Parse(await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Api_request_counters_move_after_traffic_and_never_go_back()
    {
        var before = await ScrapeAsync();
        for (var i = 0; i < 3; i++) Assert.That((await Api.GetAsync("/v1/nodes")).Status, Is.EqualTo(200));
        Assert.That((await Api.GetAsync("/v1/nodes/no-such-node")).Status, Is.EqualTo(404));
        var after = await ScrapeAsync();

        (string, string)[] ok = [("method", "GET"), ("route", "/v1/nodes/"), ("status", "200")];
        Assert.That(after.Value("bifrost_api_requests_total", ok) - (before.Value("bifrost_api_requests_total", ok) ?? 0),
            Is.GreaterThanOrEqualTo(3));
        Assert.That(after.Value("bifrost_api_requests_total", ("route", "/v1/nodes/{ident}"), ("status", "404")), Is.GreaterThanOrEqualTo(1),
            "the route is the template, not the node name");
        Assert.That(after.Samples.Where(s => s.Name == "bifrost_api_requests_total").Select(s => s.Labels["route"]),
            Has.None.Contains("no-such-node"));
        Assert.That(after.Families["bifrost_api_request_duration_seconds"].Type, Is.EqualTo("histogram"));
        Assert.That(after.Value("bifrost_api_request_duration_seconds_count", ("method", "GET"), ("route", "/v1/nodes/")),
            Is.GreaterThanOrEqualTo(3));

        foreach (var family in before.Families.Values.Where(f => f.Type == "counter"))
            foreach (var sample in family.Samples)
            {
                var labels = sample.Labels.Select(kv => (kv.Key, kv.Value)).ToArray();
                Assert.That(after.Value(sample.Name, labels), Is.GreaterThanOrEqualTo(sample.Value),
                    $"counter {sample.Name}{{{string.Join(",", labels)}}} went back between scrapes");
            }
    }

    [Test]
    public async Task Provision_transitions_are_counted_by_from_to_and_event()
    {
        (string, string)[] manage = [("from", "enroll"), ("to", "verifying"), ("event", "manage")];
        var before = (await ScrapeAsync()).Value("bifrost_conductor_provision_transitions_total", manage) ?? 0;
        var node = await Api.CreateNodeAsync();
        await Api.BringToAsync(Name(node), "available");
        var after = await ScrapeAsync();
        Assert.That(after.Families["bifrost_conductor_provision_transitions_total"].Type, Is.EqualTo("counter"));
        Assert.That(after.Value("bifrost_conductor_provision_transitions_total", manage) - before, Is.GreaterThanOrEqualTo(1));
        Assert.That(after.Value("bifrost_conductor_provision_transitions_total", ("from", "cleaning"), ("to", "available"), ("event", "done")),
            Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task Node_gauges_count_this_stores_nodes_by_provision_and_power_state()
    {
        var node = await Api.CreateNodeAsync();
        await Api.BringToAsync(Name(node), "manageable");
        var nodes = (await Api.GetAsync("/v1/nodes?fields=provision_state,power_state")).Object["nodes"]!.AsArray();
        var manageable = nodes.Count(n => n!["provision_state"]!.GetValue<string>() == "manageable");

        // The count is cached for a few seconds (NodeStateGauges.MaxAge): poll until it shows the node.
        PrometheusScrape scrape;
        var deadline = DateTime.UtcNow + NodeStateGauges.MaxAge * 3;
        do
        {
            scrape = await ScrapeAsync();
            if (scrape.Value("bifrost_nodes_by_provision_state", ("provision_state", "manageable")) == manageable) break;
            await Task.Delay(500);
        } while (DateTime.UtcNow < deadline);

        Assert.That(scrape.Families["bifrost_nodes_by_provision_state"].Type, Is.EqualTo("gauge"));
        Assert.That(scrape.Value("bifrost_nodes_by_provision_state", ("provision_state", "manageable")), Is.EqualTo(manageable));
        Assert.That(scrape.Value("bifrost_nodes_by_provision_state", ("provision_state", "wait call-back")), Is.Zero,
            "every state is listed, empty ones as 0");
        Assert.That(scrape.Samples.Where(s => s.Name == "bifrost_nodes_by_power_state").Sum(s => s.Value), Is.EqualTo(nodes.Count));
    }

    [Test]
    public async Task Healthz_and_readyz_answer_200_on_a_running_bifrost_without_credentials()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseUri };
        foreach (var (path, body) in ((string, string)[])[("/healthz", "ok"), ("/readyz", "ready")])
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That((await response.Content.ReadAsStringAsync()).Trim(), Is.EqualTo(body), path);
        }
    }

    private sealed class NotBound(string name, string reason) : IReadinessCheck
    {
        public string Name => name;
        public Task<string?> CheckAsync(CancellationToken ct) => Task.FromResult<string?>(reason);
    }

    [Test]
    public async Task Readyz_is_503_naming_every_check_that_is_not_ready()
    {
        await using var store = await TestStore.CreateAsync();
        var port = Net.FreeTcpPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddSingleton<INodeStore>(store.Store);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IReadinessCheck>(new NotBound("dhcp", "socket not bound on eth1:67"));
        builder.Services.AddSingleton<IReadinessCheck>(new NotBound("tftp", "socket not bound on :69"));
        await using var app = builder.Build();
        ObservabilityEndpoints.Map(app);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient();
            using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
            var body = await ready.Content.ReadAsStringAsync();
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
            Assert.That(body, Does.Contain("dhcp: socket not bound on eth1:67").And.Contain("tftp: socket not bound on :69"));
            Assert.That(body, Does.Not.Contain("store"), "the store answered");
            using var live = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), "liveness does not depend on readiness");
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
