using System.Text;
using System.Text.Json.Nodes;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

/// <summary>
/// The power-state sync loop of the running daemon against a real BMC (ipmi_sim), with short intervals: a BMC that
/// stops answering puts its node into maintenance with fault "power failure"; once it answers again the maintenance
/// is cleared; a power change made behind Bifrost's back with ipmitool shows up in power_state and the history.
/// </summary>
[Category("EndToEnd")]
public sealed class PowerSyncWithBmcTests
{
    private IpmiSim _bmc = null!;
    private BifrostServer _bifrost = null!;

    [SetUp]
    public async Task Start()
    {
        _bmc = IpmiSim.Start();
        _bifrost = await BifrostServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bifrost:Conductor:SyncPowerStateInterval"] = "0.5",
            ["Bifrost:Conductor:PowerStateSyncMaxRetries"] = "2",
            ["Bifrost:Conductor:PowerFailureRecoveryInterval"] = "0.5",
        });
    }

    [TearDown]
    public async Task Stop()
    {
        await _bifrost.DisposeAsync();
        _bmc.Dispose();
    }

    [Test]
    public async Task A_dead_BMC_means_power_failure_maintenance_and_its_return_clears_it()
    {
        var node = await EnrollManaged("sync-dead");

        _bmc.Stop();
        var failed = await WaitFor(node, n => (bool?)n["maintenance"] == true, "maintenance after the BMC died");
        Assert.That((string?)failed["fault"], Is.EqualTo("power failure"));
        Assert.That((string?)failed["last_error"], Does.Contain(_bmc.Address).And.Not.Contain(IpmiSim.AdminPassword));
        Assert.That((string?)failed["maintenance_reason"], Does.Contain("max retries exceeded"));

        _bmc.Start();
        var back = await WaitFor(node, n => (bool?)n["maintenance"] == false, "maintenance cleared after the BMC came back");
        Assert.That((string?)back["fault"], Is.Null);
        Assert.That((string?)back["power_state"], Is.EqualTo("power off"));
        var history = await History(node);
        Assert.That(history, Has.Some.Contains("maintenance set").And.Some.Contains("the BMC answers again"));
    }

    [Test]
    public async Task A_power_change_behind_Bifrosts_back_shows_in_power_state_and_history()
    {
        var node = await EnrollManaged("sync-oob");
        Assert.That((string?)(await Get(node))["power_state"], Is.EqualTo("power off"));

        var (exit, output) = _bmc.Ipmitool("chassis", "power", "on");
        Assert.That(exit, Is.Zero, output);

        await WaitFor(node, n => (string?)n["power_state"] == "power on", "power_state to follow the BMC");
        Assert.That(await History(node), Has.Some.EqualTo("power state changed outside Bifrost: power off → power on"));
    }

    private async Task<string> EnrollManaged(string name)
    {
        var info = _bmc.DriverInfo();
        var created = await Send(HttpMethod.Post, "/v1/nodes",
            new JsonObject { ["name"] = name, ["driver"] = "ipmi", ["driver_info"] = info }.ToJsonString());
        var uuid = (string)created["uuid"]!;
        await Send(HttpMethod.Put, $"/v1/nodes/{uuid}/states/provision", """{"target": "manage"}""");
        await WaitFor(uuid, n => (string?)n["provision_state"] == "manageable", "manage to succeed against ipmi_sim");
        return uuid;
    }

    private Task<JsonObject> Get(string node) => Send(HttpMethod.Get, $"/v1/nodes/{node}");

    private async Task<List<string>> History(string node)
    {
        var body = await Send(HttpMethod.Get, $"/v1/nodes/{node}/history");
        return body["history"]!.AsArray().Select(e => (string)e!["event"]!).ToList();
    }

    private async Task<JsonObject> WaitFor(string node, Func<JsonObject, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonObject last;
        do
        {
            last = await Get(node);
            if (done(last)) return last;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"timed out waiting for {what}; node is now {last.ToJsonString()}");
        return last;
    }

    private async Task<JsonObject> Send(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _bifrost.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.LessThan(300), $"{method} {path}: {body}");
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!.AsObject();
    }
}
