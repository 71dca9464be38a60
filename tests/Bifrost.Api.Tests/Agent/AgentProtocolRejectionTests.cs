using System.Security.Cryptography;

namespace Bifrost.Api.Tests.Agent;

/// <summary>
/// Everything the agent endpoints refuse, each without changing the node (state, driver_internal_info, history
/// length), and the secrets they must never show: the token is in no log line and no API answer but the first lookup.
/// </summary>
public sealed class AgentProtocolRejectionTests : AgentFixture
{
    protected override IDictionary<string, string?> Extra => new Dictionary<string, string?>
    {
        ["Bifrost:Conductor:DeployCallbackTimeout"] = "1",
    };

    /// <summary>A node in inspect wait with a looked-up agent (token known).</summary>
    private async Task<(string Uuid, string Mac, ScriptedAgent Agent)> WaitingAsync()
    {
        var (uuid, mac) = await ManageableNodeAsync();
        await Api.ProvisionAsync(uuid, "inspect");
        var agent = NewAgent(uuid);
        var lookup = await agent.LookupAsync($"addresses={mac}");
        Assert.That(lookup.Status, Is.EqualTo(200), lookup.ToString());
        return (uuid, mac, agent);
    }

    /// <summary>What a refused request must leave exactly as it was.</summary>
    private async Task<string> Snapshot(string uuid)
    {
        var node = await Node(uuid);
        var history = await History(uuid);
        return $"{node["provision_state"]} {node["last_error"]} {node["driver_internal_info"]!.ToJsonString()} history={history.Count}";
    }

    [Test]
    public async Task The_token_is_given_once_per_boot_and_a_previous_boots_token_is_refused()
    {
        var (uuid, mac, agent) = await WaitingAsync();
        using var _ = agent;
        var first = agent.Token!;
        var again = await agent.LookupAsync($"addresses={mac}");
        Assert.That(again.Status, Is.EqualTo(200));
        Assert.That(again.Body, Does.Contain("\"agent_token\": \"******\""), "a second lookup never shows the token");
        Assert.That(again.Body, Does.Contain("\"heartbeat_interval\": 5"), "one space after the colon, for the agent's sed");
        Assert.That(again.Body, Does.Not.Contain(first));

        // Abort, then boot into the ramdisk again: the old boot's token must not work for the new one.
        await Api.ProvisionAsync(uuid, "abort");
        await Api.ProvisionAsync(uuid, "inspect");
        Assert.That(await StateOf(uuid), Is.EqualTo("inspect wait"));
        var before = await Snapshot(uuid);
        var (old, _) = await agent.HeartbeatAsync(token: first);
        Assert.That(old.Status, Is.EqualTo(400));
        Assert.That(old.Body, Does.Contain("Invalid or missing agent token received."));
        Assert.That(await Snapshot(uuid), Is.EqualTo(before));

        var lookup = await agent.LookupAsync($"node_uuid={uuid}");
        Assert.That(lookup.Status, Is.EqualTo(200));
        Assert.That(agent.Token, Is.Not.EqualTo(first), "the new boot gets a new token");
        var (ok, command) = await agent.HeartbeatAsync();
        Assert.That(ok.Status, Is.EqualTo(202));
        Assert.That(command!.Name, Is.EqualTo("inspect"));
    }

    private static IEnumerable<TestCaseData> BadHeartbeats()
    {
        yield return new TestCaseData("wrong", 400, "Invalid or missing agent token received.").SetName("a wrong token is refused with 400");
        yield return new TestCaseData("missing", 400, "Agent token is required for heartbeat processing.").SetName("a missing token is refused with 400");
        yield return new TestCaseData("malformed", 400, "Malformed JSON").SetName("a malformed body is refused with 400");
        yield return new TestCaseData("bad-status", 400, "status must be running, succeeded or failed").SetName("a bad command status is refused with 400");
        yield return new TestCaseData("unknown-node", 404, "could not be found").SetName("a heartbeat for an unknown node is 404");
    }

    [TestCaseSource(nameof(BadHeartbeats))]
    public async Task A_bad_heartbeat_is_refused_without_any_change(string kind, int status, string message)
    {
        var (uuid, _, agent) = await WaitingAsync();
        using var _ = agent;
        var before = await Snapshot(uuid);
        var (reply, _) = kind switch
        {
            "wrong" => await agent.HeartbeatAsync(token: Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
            "missing" => await agent.HeartbeatAsync(omitToken: true),
            "malformed" => await agent.HeartbeatAsync(rawBody: "{\"agent_token\": \"x\", "),
            "bad-status" => await agent.HeartbeatAsync(new JsonObject { ["id"] = "c1", ["name"] = "inspect", ["status"] = "done" }),
            _ => await agent.HeartbeatAsync(node: Guid.NewGuid().ToString()),
        };
        Assert.That(reply.Status, Is.EqualTo(status), reply.ToString());
        Assert.That(reply.Body, Does.Contain(message));
        Assert.That(await Snapshot(uuid), Is.EqualTo(before));
    }

    [Test]
    public async Task Lookup_is_refused_in_a_state_that_expects_no_agent_and_for_unknown_macs()
    {
        var (uuid, mac) = await ManageableNodeAsync();
        using var agent = NewAgent(uuid);
        var before = await Snapshot(uuid);
        foreach (var query in new[] { $"addresses={mac}", $"node_uuid={uuid}", $"addresses={Macs.New()}", $"node_uuid={Guid.NewGuid()}" })
        {
            var reply = await agent.LookupAsync(query);
            Assert.That(reply.Status, Is.EqualTo(404), query);
            Assert.That(reply.Body, Does.Contain("Resource could not be found."), query);
        }
        Assert.That((await agent.LookupAsync("")).Status, Is.EqualTo(400), "no arguments");
        Assert.That(agent.Token, Is.Null);
        Assert.That(await Snapshot(uuid), Is.EqualTo(before));

        var (heartbeat, _) = await agent.HeartbeatAsync(token: "anything");
        Assert.That(heartbeat.Status, Is.EqualTo(409));
        var fault = JsonNode.Parse(heartbeat.Object["error_message"]!.GetValue<string>())!["faultstring"]!.GetValue<string>();
        Assert.That(fault, Is.EqualTo($"Node {uuid} is not waiting for an agent (state \"manageable\")."));
    }

    [Test]
    public async Task A_command_value_with_a_newline_is_never_sent_and_fails_the_step()
    {
        var sha = AddImage("newline.raw", RandomNumberGenerator.GetBytes(1024));
        var created = await Api.CreateNodeAsync(new JsonObject
        {
            ["driver"] = "ipmi", ["driver_info"] = Bmc.DriverInfo(), ["automated_clean"] = false,
            ["properties"] = new JsonObject { ["root_device"] = new JsonObject { ["name"] = "/dev/sda\nimage_url=http://evil/x" } },
            ["instance_info"] = new JsonObject { ["image_source"] = "newline.raw", ["image_checksum"] = sha },
        });
        var uuid = created["uuid"]!.GetValue<string>();
        var mac = Macs.New();
        await Api.CreatePortAsync(uuid, mac);
        await Api.BringToAsync(uuid, "available");
        await Api.ProvisionAsync(uuid, "active");

        using var agent = NewAgent(uuid);
        await agent.LookupAsync($"addresses={mac}");
        var (reply, command) = await agent.HeartbeatAsync();
        Assert.That(reply.Status, Is.EqualTo(202));
        Assert.That(command!.Name, Is.EqualTo("exit"));
        Assert.That(reply.Body, Does.Not.Contain("evil"));
        await Server.IdleAsync(30);
        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("deploy failed"));
        Assert.That(node["last_error"]!.GetValue<string>(), Does.StartWith("write_image could not be issued to the agent").And.Contain("line break"));
    }

    [Test]
    public async Task The_timeout_sweep_fails_a_silent_deploy_and_powers_it_off()
    {
        var sha = AddImage("silent.raw", RandomNumberGenerator.GetBytes(1024));
        var created = await Api.CreateNodeAsync(new JsonObject
        {
            ["driver"] = "ipmi", ["driver_info"] = Bmc.DriverInfo(), ["automated_clean"] = false,
            ["instance_info"] = new JsonObject { ["image_source"] = "silent.raw", ["image_checksum"] = sha },
        });
        var uuid = created["uuid"]!.GetValue<string>();
        await Api.BringToAsync(uuid, "available");
        await Api.ProvisionAsync(uuid, "active");
        Assert.That(await StateOf(uuid), Is.EqualTo("wait call-back"));
        Assert.That(Bmc.PowerOn, Is.True);

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // deploy_callback_timeout = 1 s in this fixture
        await Server.Conductor.CheckTimeoutsAsync();
        await Server.IdleAsync(30);
        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("deploy failed"));
        Assert.That(node["last_error"]!.GetValue<string>(), Does.StartWith($"Timeout reached while waiting for callback for node {uuid}"));
        Assert.That(Bmc.PowerOn, Is.False);
    }

    [Test]
    public async Task The_token_appears_in_no_log_line_and_no_api_answer()
    {
        var (uuid, mac, agent) = await WaitingAsync();
        using var _ = agent;
        var token = agent.Token!;
        await agent.HeartbeatAsync();
        await agent.HeartbeatAsync(token: token + "x");
        await agent.LookupAsync($"addresses={mac}");

        Assert.That(Server.Logs.AllText, Does.Not.Contain(token));
        Assert.That(Server.Logs.AllText, Does.Contain("bad_token"), "the refusal itself is logged");
        var node = await Node(uuid);
        Assert.That(node.ToJsonString(), Does.Not.Contain(token));
        Assert.That(node["driver_internal_info"]!["agent_token_sha256"]!.GetValue<string>(), Is.EqualTo("******"),
            "not even the hash is shown");
        var detail = await Api.GetAsync("/v1/nodes/detail");
        Assert.That(detail.Body, Does.Not.Contain(token));
        var history = await Api.GetAsync($"/v1/nodes/{uuid}/history/detail");
        Assert.That(history.Body, Does.Not.Contain(token));

        var metrics = await Api.GetAsync("/metrics", version: null);
        Assert.That(metrics.Body, Does.Contain("bifrost_agent_heartbeats_total").And.Contain("outcome=\"bad_token\""));
        Assert.That(metrics.Body, Does.Contain("bifrost_agent_lookups_total"));
    }
}
