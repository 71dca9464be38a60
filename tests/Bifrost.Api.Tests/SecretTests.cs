using Bifrost.Domain.Conductor;

namespace Bifrost.Api.Tests;

/// <summary>
/// IRONIC-API.md §5, §9.9: passwords, image URLs, config drives, agent tokens and URL credentials are masked in
/// every answer that shows a node, and never reach the log. This fixture has its own server, so its log holds
/// only what these tests did.
/// </summary>
public sealed class SecretTests : ApiFixture
{
    private static readonly string[] SecretValues =
    [
        "S3cret-ipmi-pw", "S3cret-redfish-pw", "S3cret-url-pw", "S3cret-image-sig", "S3cret-configdrive",
        "S3cret-src-pw", "S3cret-agent-token", "S3cret-patched-pw", "S3cret-deploy-cd", "S3cret-bmc-pw",
    ];

    private readonly List<Reply> _replies = [];

    private async Task<Reply> KeepAsync(Task<Reply> call)
    {
        var reply = await call;
        _replies.Add(reply);
        Assert.That(reply.Status, Is.LessThan(300), reply.ToString());
        return reply;
    }

    private static void AssertMasked(JsonObject node, string where)
    {
        Assert.Multiple(() =>
        {
            var di = node["driver_info"]!.AsObject();
            Assert.That(di["ipmi_password"]?.GetValue<string>(), Is.EqualTo("******"), $"{where}: ipmi_password");
            Assert.That(di["redfish_password"]?.GetValue<string>(), Is.EqualTo("******"), $"{where}: *_password");
            Assert.That(di["bmc_url"]?.GetValue<string>(), Is.EqualTo("https://admin:******@bmc.example/redfish/v1"), $"{where}: URL credentials");
            Assert.That(di["ipmi_address"]?.GetValue<string>(), Is.EqualTo("10.0.0.5"), $"{where}: not a secret");
            var ii = node["instance_info"]!.AsObject();
            Assert.That(ii["image_url"]?.GetValue<string>(), Is.EqualTo("******"), $"{where}: image_url");
            Assert.That(ii["configdrive"]?.GetValue<string>(), Is.EqualTo("******"), $"{where}: configdrive");
            Assert.That(ii["image_source"]?.GetValue<string>(), Is.EqualTo("http://user:******@images.example/img.qcow2"), $"{where}: URL credentials");
            Assert.That(node.ToJsonString(), Does.Not.Contain("S3cret"), $"{where}: no secret anywhere");
        });
    }

    [Test]
    public async Task Secrets_are_masked_in_every_answer_and_never_logged()
    {
        var name = Names.New("secret");
        var body = new JsonObject
        {
            ["driver"] = "fake-hardware",
            ["name"] = name,
            ["driver_info"] = new JsonObject
            {
                ["ipmi_address"] = "10.0.0.5",
                ["ipmi_password"] = "S3cret-ipmi-pw",
                ["redfish_password"] = "S3cret-redfish-pw",
                ["bmc_url"] = "https://admin:S3cret-url-pw@bmc.example/redfish/v1",
            },
            ["instance_info"] = new JsonObject
            {
                ["image_url"] = "http://swift.example/v1/img?temp_url_sig=S3cret-image-sig",
                ["configdrive"] = "S3cret-configdrive",
                ["image_source"] = "http://user:S3cret-src-pw@images.example/img.qcow2",
            },
        };
        var created = await KeepAsync(Api.PostAsync("/v1/nodes", body.ToJsonString()));
        var uuid = Uuid(created.Object);
        AssertMasked(created.Object, "POST");

        // driver_internal_info is not writable through the API; the agent token arrives there from the conductor.
        var stored = (await Server.Conductor.Store.GetNodeAsync(Guid.Parse(uuid)))!;
        stored.DriverInternalInfo["agent_secret_token"] = "S3cret-agent-token";
        await Server.Conductor.Store.SaveNodeAsync(stored);

        var shown = await KeepAsync(Api.GetAsync($"/v1/nodes/{name}"));
        AssertMasked(shown.Object, "GET");
        Assert.That(shown.Object["driver_internal_info"]?["agent_secret_token"]?.GetValue<string>(), Is.EqualTo("******"));

        var patched = await KeepAsync(Api.PatchAsync($"/v1/nodes/{name}", new object[]
        {
            new { op = "add", path = "/driver_info/ipmi_password", value = "S3cret-patched-pw" },
            new { op = "add", path = "/extra/note", value = "not secret" },
        }));
        AssertMasked(patched.Object, "PATCH");

        var fields = await KeepAsync(Api.GetAsync($"/v1/nodes/{uuid}?fields=driver_info,instance_info,driver_internal_info"));
        AssertMasked(fields.Object, "GET ?fields=");
        var detail = await KeepAsync(Api.GetAsync("/v1/nodes/detail"));
        AssertMasked(detail.Object["nodes"]!.AsArray().Single(n => n!["uuid"]!.GetValue<string>() == uuid)!.AsObject(), "detail");
        var listFields = await KeepAsync(Api.GetAsync("/v1/nodes/?fields=uuid,driver_info,instance_info"));
        AssertMasked(listFields.Object["nodes"]!.AsArray().Single(n => n!["uuid"]!.GetValue<string>() == uuid)!.AsObject(), "list ?fields=");
        await KeepAsync(Api.GetAsync("/v1/nodes"));
        await KeepAsync(Api.GetAsync($"/v1/nodes/{uuid}/validate"));
        await KeepAsync(Api.GetAsync($"/v1/nodes/{uuid}/states"));

        // A deploy with a config drive: it lands in instance_info, masked like the rest.
        await Api.BringToAsync(uuid, "available");
        await KeepAsync(Api.PutAsync($"/v1/nodes/{uuid}/states/provision", new { target = "active", configdrive = "S3cret-deploy-cd" }));
        await Server.IdleAsync();
        var deployed = await KeepAsync(Api.GetAsync($"/v1/nodes/{uuid}"));
        Assert.That(deployed.Object["provision_state"]?.GetValue<string>(), Is.EqualTo("active"));
        Assert.That(deployed.Object["instance_info"]?["configdrive"]?.GetValue<string>(), Is.EqualTo("******"));
        await KeepAsync(Api.GetAsync($"/v1/nodes/{uuid}/history?detail=True"));

        Assert.That(_replies.Select(r => r.Body).Where(b => b.Contains("S3cret", StringComparison.Ordinal)), Is.Empty,
            "no answer shows a secret");
        var log = Server.Logs.AllText;
        Assert.That(log, Is.Not.Empty, "the log captured something");
        foreach (var secret in SecretValues)
            Assert.That(log, Does.Not.Contain(secret), $"the log shows {secret}");
    }

    [Test]
    public async Task An_ipmi_node_with_a_bmc_password_shows_it_masked_and_does_not_log_it_when_actions_fail()
    {
        var node = await Api.CreateNodeAsync(new JsonObject
        {
            ["driver"] = "ipmi",
            ["driver_info"] = new JsonObject { ["ipmi_address"] = "192.0.2.1", ["ipmi_username"] = "admin", ["ipmi_password"] = "S3cret-bmc-pw" },
        });
        Assert.That(node["driver_info"]?["ipmi_password"]?.GetValue<string>(), Is.EqualTo("******"));
        // 192.0.2.1 (TEST-NET-1) never answers: the power action runs out of its retry budget holding the node's lock,
        // fails, and the failure is logged; then manage fails the same way.
        await Api.PutAsync($"/v1/nodes/{Uuid(node)}/states/power", new { target = "power on" });
        await Server.IdleAsync(30);
        await Api.ProvisionAsync(Uuid(node), "manage");
        await Server.IdleAsync(30);
        var shown = await Api.GetAsync($"/v1/nodes/{Uuid(node)}");
        Assert.That(shown.Body, Does.Not.Contain("S3cret"));
        Assert.That(Server.Logs.AllText, Does.Not.Contain("S3cret-bmc-pw"));
    }

    /// <summary>Ironic echoes a failed operation with its value; Bifrost masks a secret value (it is logged too).</summary>
    [Test]
    public async Task A_failed_patch_does_not_echo_a_secret_value()
    {
        var node = await Api.CreateNodeAsync();
        var password = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}",
            new[] { new { op = "replace", path = "/driver_info/ipmi_password", value = "S3cret-echo-pw" } });
        Expect.Fault(password, 400,
            "Couldn't apply patch '{'op': 'replace', 'path': '/driver_info/ipmi_password', 'value': '******'}'. " +
            "Reason: can't replace a non-existent object 'ipmi_password'");
        var url = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}",
            new[] { new { op = "replace", path = "/instance_info/image_source", value = "http://u:S3cret-echo-url@h.example/x" } });
        Expect.Fault(url, 400,
            "Couldn't apply patch '{'op': 'replace', 'path': '/instance_info/image_source', 'value': 'http://u:******@h.example/x'}'. " +
            "Reason: can't replace a non-existent object 'image_source'");
        var nested = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}",
            new[] { new { op = "replace", path = "/driver_info/bmc", value = new { redfish_password = "S3cret-echo-nested" } } });
        Expect.Error(nested, 400);
        Assert.That(nested.Body, Does.Not.Contain("S3cret"));
        Assert.That(Server.Logs.AllText, Does.Not.Contain("S3cret-echo"));
    }
}
