namespace Bifrost.Api.Tests;

/// <summary>IRONIC-API.md §3, §9.7: what changes with the microversion inside the CLI subset.</summary>
public sealed class MicroversionTests : ApiFixture
{
    /// <summary>The node field set at 1.1 (no header), from IRONIC-API.md §5.</summary>
    private static readonly string[] FieldsAt11 =
    [
        "chassis_uuid", "console_enabled", "created_at", "driver", "driver_info", "extra", "instance_info",
        "instance_uuid", "last_error", "links", "maintenance", "maintenance_reason", "ports", "power_state",
        "properties", "provision_state", "provision_updated_at", "reservation", "target_power_state",
        "target_provision_state", "updated_at", "uuid",
    ];

    [Test]
    public async Task Without_a_header_a_new_node_is_available_shown_as_null_with_the_1_1_fields()
    {
        var node = await Api.CreateNodeAsync(version: null);
        Assert.Multiple(() =>
        {
            Assert.That(node["provision_state"], Is.Null);
            Assert.That(node.ContainsKey("provision_state"), Is.True);
            Assert.That(node.ContainsKey("name"), Is.False);
            Assert.That(node.Select(kv => kv.Key).Order(StringComparer.Ordinal), Is.EqualTo(FieldsAt11));
        });

        var stored = await Server.Conductor.Store.GetNodeAsync(Guid.Parse(Uuid(node)));
        Assert.That(stored!.ProvisionState.ToString(), Is.EqualTo("Available"), "stored state behind the null");

        var at178 = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
        Assert.That(at178["provision_state"]?.GetValue<string>(), Is.EqualTo("available"));
    }

    [TestCase("1.1")]
    [TestCase("1.10")]
    public async Task Below_1_11_a_new_node_starts_available(string version)
    {
        var node = await Api.CreateNodeAsync(version: version);
        var stored = await Server.Conductor.Store.GetNodeAsync(Guid.Parse(Uuid(node)));
        Assert.That(stored!.ProvisionState.ToString(), Is.EqualTo("Available"));
    }

    [TestCase("1.11")]
    [TestCase("1.78")]
    public async Task From_1_11_a_new_node_starts_in_enroll(string version)
    {
        var node = await Api.CreateNodeAsync(version: version);
        Assert.That(node["provision_state"]?.GetValue<string>(), Is.EqualTo("enroll"));
    }

    [Test]
    public async Task At_1_1_a_name_in_a_create_is_406_request_not_acceptable()
    {
        var reply = await Api.PostAsync("/v1/nodes", new { driver = "fake-hardware", name = Names.New() }, version: null);
        Expect.Fault(reply, 406, "Request not acceptable.");
    }

    [Test]
    public async Task At_1_1_a_null_name_in_a_create_is_accepted_as_ironic_does()
    {
        var reply = await Api.PostAsync("/v1/nodes", "{\"driver\": \"fake-hardware\", \"name\": null}", version: null);
        Assert.That(reply.Status, Is.EqualTo(201), reply.ToString());
    }

    [Test]
    public async Task A_null_for_a_field_newer_than_the_version_is_accepted()
    {
        var reply = await Api.PostAsync("/v1/nodes", "{\"driver\": \"fake-hardware\", \"shard\": null}", "1.78");
        Assert.That(reply.Status, Is.EqualTo(201), reply.ToString());
    }

    [Test]
    public async Task At_1_1_patching_the_name_is_406()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", new[] { new { op = "replace", path = "/name", value = "x" } }, version: null);
        Expect.Fault(reply, 406, "Request not acceptable.");
    }

    [Test]
    public async Task Patching_shard_needs_1_82()
    {
        var node = await Api.CreateNodeAsync();
        var ops = new[] { new { op = "add", path = "/shard", value = "s1" } };
        Expect.Fault(await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", ops, "1.78"), 406, "Request not acceptable.");
        var at182 = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", ops, "1.82");
        Assert.That(at182.Status, Is.EqualTo(200), at182.ToString());
        Assert.That(at182.Object["shard"]?.GetValue<string>(), Is.EqualTo("s1"));
    }

    [Test]
    public async Task At_1_1_a_node_cannot_be_found_by_name()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.GetAsync($"/v1/nodes/{Name(node)}", version: null);
        Expect.Fault(reply, 404, $"Node {Name(node)} could not be found.");
        var byUuid = await Api.GetAsync($"/v1/nodes/{Uuid(node)}", version: null);
        Assert.That(byUuid.Status, Is.EqualTo(200), byUuid.ToString());
    }

    [Test]
    public async Task At_1_5_a_node_can_be_found_by_name()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.GetAsync($"/v1/nodes/{Name(node)}", version: "1.5");
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        Assert.That(reply.Object["name"]?.GetValue<string>(), Is.EqualTo(Name(node)));
    }

    [Test]
    public async Task At_1_1_the_list_view_has_no_name()
    {
        await Api.CreateNodeAsync();
        var nodes = (await Api.GetAsync("/v1/nodes", version: null)).Object["nodes"]!.AsArray();
        Assert.That(nodes.Select(n => n!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray()),
            Has.All.EqualTo(new[] { "instance_uuid", "links", "maintenance", "power_state", "provision_state", "uuid" }));
    }

    [TestCase("/v1/nodes?fields=uuid")]
    [TestCase("/v1/nodes/{uuid}?fields=uuid")]
    public async Task Fields_below_1_8_is_406(string path)
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.GetAsync(path.Replace("{uuid}", Uuid(node)), version: "1.7");
        Expect.Fault(reply, 406, "Request not acceptable.");
        var at18 = await Api.GetAsync(path.Replace("{uuid}", Uuid(node)), version: "1.8");
        Assert.That(at18.Status, Is.EqualTo(200), at18.ToString());
    }

    [Test]
    public async Task History_below_1_78_is_404()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.GetAsync($"/v1/nodes/{Uuid(node)}/history", version: "1.77");
        Expect.Error(reply, 404);
    }

    [Test]
    public async Task The_provision_state_filter_needs_1_9()
    {
        var reply = await Api.GetAsync("/v1/nodes?provision_state=enroll", version: "1.8");
        Expect.Fault(reply, 406, "Request not acceptable.");
    }

    [Test]
    public async Task The_driver_filter_needs_1_16()
    {
        var reply = await Api.GetAsync("/v1/nodes?driver=fake-hardware", version: "1.15");
        Expect.Fault(reply, 406, "Request not acceptable.");
    }

    [TestCase("manage", "1.3")]
    [TestCase("provide", "1.3")]
    [TestCase("deploy", "1.72")]
    [TestCase("undeploy", "1.72")]
    public async Task A_verb_older_than_its_microversion_is_406(string verb, string version)
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.PutAsync($"/v1/nodes/{Uuid(node)}/states/provision", new { target = verb }, version);
        Expect.Fault(reply, 406, "Request not acceptable.");
    }

    [Test]
    public async Task Shard_appears_only_at_1_82()
    {
        var node = await Api.CreateNodeAsync();
        var at178 = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
        var at182 = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}", "1.82")).Object;
        Assert.That(at178.ContainsKey("shard"), Is.False);
        Assert.That(at182.ContainsKey("shard"), Is.True);
        Assert.That(at182.Select(kv => kv.Key).Except(at178.Select(kv => kv.Key)), Is.EqualTo(new[] { "shard" }));
    }

    [Test]
    public async Task A_field_newer_than_the_version_in_a_create_is_406()
    {
        var reply = await Api.PostAsync("/v1/nodes", new { driver = "fake-hardware", shard = "s1" }, "1.78");
        Expect.Fault(reply, 406, "Request not acceptable.");
    }
}
