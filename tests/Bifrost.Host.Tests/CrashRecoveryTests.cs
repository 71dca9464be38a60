using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Host.Tests;

/// <summary>
/// kill -9 in the middle of a deploy, then a restart on the same state directory: the node is failed with a reason,
/// no lock is left, and nothing else was lost.
/// </summary>
[Category("EndToEnd")]
public class CrashRecoveryTests
{
    private static HttpClient Client(BifrostProcess bifrost)
    {
        var http = new HttpClient { BaseAddress = bifrost.BaseUri };
        http.DefaultRequestHeaders.Add("X-OpenStack-Ironic-API-Version", "1.78");
        return http;
    }

    private static async Task<JsonObject> Send(HttpClient http, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.LessThan(300), $"{method} {path}: {body}");
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!.AsObject();
    }

    private static async Task<string> WaitForState(HttpClient http, string node, string state)
    {
        for (var i = 0; i < 100; i++)
        {
            var n = await Send(http, HttpMethod.Get, $"/v1/nodes/{node}");
            if ((string?)n["provision_state"] == state) return state;
            await Task.Delay(100);
        }
        Assert.Fail($"node {node} never reached {state}");
        return "";
    }

    [Test]
    public async Task A_node_mid_deploy_is_deploy_failed_after_kill_9_and_restart_and_nothing_else_is_lost()
    {
        using var dir = new TempDirectory("bifrost-crash");
        var slow = new Dictionary<string, string> { ["Bifrost__Fake__DeployDelay"] = "300" };

        string victim, bystander, enrolled;
        var first = await BifrostProcess.StartAsync(dir.Path, slow);
        try
        {
            using var http = Client(first);
            victim = (string)(await Send(http, HttpMethod.Post, "/v1/nodes",
                """{"driver":"fake-hardware","name":"victim","properties":{"cpus":8}}"""))["uuid"]!;
            bystander = (string)(await Send(http, HttpMethod.Post, "/v1/nodes",
                """{"driver":"fake-hardware","name":"bystander","extra":{"rack":"r1"}}"""))["uuid"]!;
            enrolled = (string)(await Send(http, HttpMethod.Post, "/v1/nodes",
                """{"driver":"ipmi","name":"enrolled","driver_info":{"ipmi_address":"192.0.2.10","ipmi_password":"pw"}}"""))["uuid"]!;
            await Send(http, HttpMethod.Post, "/v1/ports", $$"""{"address":"52:54:00:00:00:01","node_uuid":"{{victim}}"}""");
            await Send(http, HttpMethod.Post, "/v1/ports", $$"""{"address":"52:54:00:00:00:02","node_uuid":"{{bystander}}"}""");

            foreach (var node in new[] { victim, bystander })
            {
                await Send(http, HttpMethod.Put, $"/v1/nodes/{node}/states/provision", """{"target":"manage"}""");
                await WaitForState(http, node, "manageable");
                await Send(http, HttpMethod.Put, $"/v1/nodes/{node}/states/provision", """{"target":"provide"}""");
                await WaitForState(http, node, "available");
            }
            await Send(http, HttpMethod.Put, $"/v1/nodes/{victim}/states/provision", """{"target":"active"}""");
            var during = await Send(http, HttpMethod.Get, $"/v1/nodes/{victim}");
            Assert.That((string?)during["provision_state"], Is.EqualTo("deploying"));
            Assert.That((string?)during["reservation"], Is.Not.Null, "the deploy holds the node's lock");
        }
        finally
        {
            first.Kill();
            await first.DisposeAsync();
        }

        // Restart on the same state directory, with no fake delay this time.
        await using var second = await BifrostProcess.StartAsync(dir.Path);
        using (var http = Client(second))
        {
            var node = await Send(http, HttpMethod.Get, $"/v1/nodes/{victim}");
            Assert.That((string?)node["provision_state"], Is.EqualTo("deploy failed"));
            Assert.That((string?)node["target_provision_state"], Is.EqualTo("active"));
            Assert.That((string?)node["reservation"], Is.Null);
            Assert.That((string?)node["last_error"], Is.EqualTo(
                "Bifrost restarted while the node was in state \"deploying\"; that step did not finish."));
            Assert.That((int?)node["properties"]!["cpus"], Is.EqualTo(8));

            var other = await Send(http, HttpMethod.Get, $"/v1/nodes/{bystander}");
            Assert.That((string?)other["provision_state"], Is.EqualTo("available"));
            Assert.That((string?)other["extra"]!["rack"], Is.EqualTo("r1"));
            Assert.That((string?)other["reservation"], Is.Null);
            var third = await Send(http, HttpMethod.Get, $"/v1/nodes/{enrolled}");
            Assert.That((string?)third["provision_state"], Is.EqualTo("enroll"));
            Assert.That((string?)third["driver_info"]!["ipmi_address"], Is.EqualTo("192.0.2.10"));

            var ports = await Send(http, HttpMethod.Get, "/v1/ports/detail");
            Assert.That(ports["ports"]!.AsArray().Select(p => (string?)p!["address"]),
                Is.EquivalentTo(new[] { "52:54:00:00:00:01", "52:54:00:00:00:02" }));

            var history = await Send(http, HttpMethod.Get, $"/v1/nodes/{victim}/history");
            Assert.That(history["history"]!.AsArray().Select(h => (string?)h!["event"]).Last(),
                Does.StartWith("deploying → deploy failed"));

            // The failed node can be deployed again.
            await Send(http, HttpMethod.Put, $"/v1/nodes/{victim}/states/provision", """{"target":"active"}""");
            await WaitForState(http, victim, "active");
        }
        Assert.That(second.ReadLog(), Does.Not.Contain("\"pw\"").And.Not.Contain("ipmi_password=pw"));
    }
}
