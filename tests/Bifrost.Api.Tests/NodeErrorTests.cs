namespace Bifrost.Api.Tests;

/// <summary>
/// IRONIC-API.md §4 error table, for nodes. Each table row runs against a fresh enrolled node; in the templates
/// {uuid} and {name} name that node and {other} the name of a second node.
/// </summary>
public sealed class NodeErrorTests : ApiFixture
{
    public sealed record Case(string Method, string Path, string? Body, int Status, string Message);

    private static TestCaseData Row(string rule, string method, string path, string? body, int status, string message) =>
        new TestCaseData(new Case(method, path, body, status, message)).SetName(rule);

    private static IEnumerable<TestCaseData> UnknownNode()
    {
        const string msg = "Node nosuchnode could not be found.";
        var endpoints = new (string Method, string Path, string? Body)[]
        {
            ("GET", "", null), ("PATCH", "", "[]"), ("DELETE", "", null), ("GET", "/states", null),
            ("PUT", "/states/power", "{\"target\": \"power on\"}"), ("PUT", "/states/provision", "{\"target\": \"manage\"}"),
            ("PUT", "/maintenance", "{\"reason\": null}"), ("DELETE", "/maintenance", null), ("GET", "/validate", null),
            ("GET", "/management/boot_device", null), ("PUT", "/management/boot_device", "{\"boot_device\": \"pxe\"}"),
            ("GET", "/management/boot_device/supported", null), ("GET", "/history", null), ("GET", "/ports", null),
        };
        foreach (var (method, path, body) in endpoints)
            yield return Row($"unknown node on {method} /v1/nodes/{{n}}{path} is 404 naming it as given",
                method, $"/v1/nodes/nosuchnode{path}", body, 404, msg);
        var uuid = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123";
        yield return Row("an unknown node uuid is 404 naming the uuid", "GET", $"/v1/nodes/{uuid}", null, 404,
            $"Node {uuid} could not be found.");
    }

    private static IEnumerable<TestCaseData> Rejections()
    {
        yield return Row("duplicate name on create is 409", "POST", "/v1/nodes",
            "{\"driver\": \"fake-hardware\", \"name\": \"{other}\"}", 409, "A node with name {other} already exists.");
        yield return Row("duplicate name on patch is 409", "PATCH", "/v1/nodes/{uuid}",
            "[{\"op\": \"add\", \"path\": \"/name\", \"value\": \"{other}\"}]", 409, "A node with name {other} already exists.");
        yield return Row("duplicate uuid on create is 409", "POST", "/v1/nodes",
            "{\"driver\": \"fake-hardware\", \"uuid\": \"{uuid}\"}", 409, "A node with UUID {uuid} already exists.");
        yield return Row("deploy from enroll is 400 (not 409) naming the uuid and state", "PUT", "/v1/nodes/{name}/states/provision",
            "{\"target\": \"active\"}", 400,
            "The requested action \"active\" can not be performed on node \"{uuid}\" while it is in state \"enroll\".");
        yield return Row("provide from enroll is 400", "PUT", "/v1/nodes/{uuid}/states/provision",
            "{\"target\": \"provide\"}", 400,
            "The requested action \"provide\" can not be performed on node \"{uuid}\" while it is in state \"enroll\".");
        yield return Row("abort from enroll is 400", "PUT", "/v1/nodes/{uuid}/states/provision",
            "{\"target\": \"abort\"}", 400,
            "The requested action \"abort\" can not be performed on node \"{uuid}\" while it is in state \"enroll\".");
        yield return Row("an unknown provision target is 400 like an invalid transition", "PUT", "/v1/nodes/{name}/states/provision",
            "{\"target\": \"sideways\"}", 400,
            "The requested action \"sideways\" can not be performed on node \"{uuid}\" while it is in state \"enroll\".");
        yield return Row("an unknown power target is 400 naming the node as given and power state None", "PUT",
            "/v1/nodes/{name}/states/power", "{\"target\": \"sideways\"}", 400,
            "The requested action \"sideways\" can not be performed on node \"{name}\" while it is in state \"None\".");
        yield return Row("provision without target is 400", "PUT", "/v1/nodes/{uuid}/states/provision", "{}", 400,
            "Missing mandatory parameter: target");
        yield return Row("power without target is 400", "PUT", "/v1/nodes/{uuid}/states/power", "{}", 400,
            "Missing mandatory parameter: target");
        yield return Row("clean without clean_steps is 400", "PUT", "/v1/nodes/{uuid}/states/provision",
            "{\"target\": \"clean\"}", 400, "\"clean_steps\" is required when setting target provision state to clean");
        yield return Row("create without driver is 400", "POST", "/v1/nodes", "{\"name\": \"x-{name}\"}", 400,
            "Schema error for node: 'driver' is a required property");
        yield return Row("create with an unknown field is 400", "POST", "/v1/nodes",
            "{\"driver\": \"fake-hardware\", \"foo\": 1}", 400, "Additional properties are not allowed ('foo' was unexpected)");
        yield return Row("create with an unknown driver is 400", "POST", "/v1/nodes", "{\"driver\": \"nope\"}", 400,
            "No valid host was found. Reason: No conductor service registered which supports driver nope for conductor group \"\".");
        yield return Row("create with a bad name is 400", "POST", "/v1/nodes",
            "{\"driver\": \"fake-hardware\", \"name\": \"bad name!\"}", 400, "Cannot create node with invalid name 'bad name!'");
        yield return Row("patch remove of a missing key is 400 with the operation as a Python dict", "PATCH", "/v1/nodes/{uuid}",
            "[{\"op\": \"remove\", \"path\": \"/extra/nothing\"}]", 400,
            "Couldn't apply patch '{'op': 'remove', 'path': '/extra/nothing'}'. Reason: can't remove a non-existent object 'nothing'");
        foreach (var field in (string[])["uuid", "provision_state", "nosuchfield", "reservation", "created_at"])
            yield return Row($"patch of /{field} is 400 listing what can be updated", "PATCH", "/v1/nodes/{uuid}",
                $"[{{\"op\": \"replace\", \"path\": \"/{field}\", \"value\": \"x\"}}]", 400,
                $"Cannot patch /{field}. Only the following can be updated: {string.Join(", ", IronicPatchable)}");
        yield return Row("patch of an unknown nested path is 400 naming the whole path", "PATCH", "/v1/nodes/{uuid}",
            "[{\"op\": \"add\", \"path\": \"/nosuchfield/x\", \"value\": \"x\"}]", 400,
            $"Cannot patch /nosuchfield/x. Only the following can be updated: {string.Join(", ", IronicPatchable)}");
        yield return Row("patch with an unknown op is 400", "PATCH", "/v1/nodes/{uuid}",
            "[{\"op\": \"frobnicate\", \"path\": \"/extra/a\", \"value\": 1}]", 400,
            "Schema error for patch: 'frobnicate' is not one of ['add', 'replace', 'remove']");
        yield return Row("boot device not supported by the driver is 400", "PUT", "/v1/nodes/{uuid}/management/boot_device",
            "{\"boot_device\": \"disk\"}", 400, "Invalid boot device disk specified.");
    }

    /// <summary>Ironic 21.4's node PATCH_ALLOWED_FIELDS (ironic/api/controllers/v1/node.py), in its order.</summary>
    private static readonly string[] IronicPatchable =
    [
        "automated_clean", "bios_interface", "boot_interface", "chassis_uuid", "conductor_group", "console_interface",
        "deploy_interface", "description", "driver", "driver_info", "extra", "inspect_interface", "instance_info",
        "instance_uuid", "lessee", "maintenance", "management_interface", "name", "network_data", "network_interface",
        "owner", "power_interface", "properties", "protected", "protected_reason", "raid_interface", "rescue_interface",
        "resource_class", "retired", "retired_reason", "shard", "storage_interface", "vendor_interface",
    ];

    [TestCaseSource(nameof(UnknownNode))]
    [TestCaseSource(nameof(Rejections))]
    public async Task Ironic_error(Case c)
    {
        var node = await Api.CreateNodeAsync();
        var other = await Api.CreateNodeAsync();
        string Fill(string s) => s.Replace("{uuid}", Uuid(node)).Replace("{name}", Name(node)).Replace("{other}", Name(other));
        var reply = await Api.SendAsync(new HttpMethod(c.Method), Fill(c.Path), c.Body is null ? null : Fill(c.Body));
        Expect.Fault(reply, c.Status, Fill(c.Message));
    }

    [Test]
    public async Task Patch_with_a_body_that_is_not_a_list_is_400()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", "{\"op\": \"add\", \"path\": \"/extra/a\", \"value\": 1}");
        Expect.FaultStartingWith(reply, 400, "Schema error for patch: ");
    }

    [Test]
    public async Task Deleting_an_active_node_is_409_with_ironics_text()
    {
        var node = await Api.CreateNodeAsync();
        await Api.BringToAsync(Uuid(node), "active");
        var reply = await Api.DeleteAsync($"/v1/nodes/{Name(node)}");
        Expect.Fault(reply, 409,
            $"Can not delete node \"{Uuid(node)}\" while it is in provision state \"active\". Valid provision states to " +
            "perform deletion are: \"('manageable', 'enroll', 'adopt failed', 'available')\", or set the node into maintenance mode");
    }

    [Test]
    public async Task An_active_node_in_maintenance_can_be_deleted()
    {
        var node = await Api.CreateNodeAsync();
        await Api.BringToAsync(Uuid(node), "active");
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{Uuid(node)}/maintenance", new { reason = "gone" }), 202);
        Expect.Empty(await Api.DeleteAsync($"/v1/nodes/{Uuid(node)}"), 204);
    }

    private static IEnumerable<TestCaseData> InvalidTransitions()
    {
        yield return new TestCaseData("manageable", "manage").SetName("manage from manageable is 400");
        yield return new TestCaseData("available", "abort").SetName("abort from available is 400");
        yield return new TestCaseData("available", "adopt").SetName("adopt from available is 400");
        yield return new TestCaseData("active", "provide").SetName("provide from active is 400");
        yield return new TestCaseData("active", "deploy").SetName("deploy from active is 400");
    }

    [TestCaseSource(nameof(InvalidTransitions))]
    public async Task An_invalid_transition_is_400_naming_the_state(string state, string verb)
    {
        var node = await Api.CreateNodeAsync();
        await Api.BringToAsync(Uuid(node), state);
        var reply = await Api.PutAsync($"/v1/nodes/{Name(node)}/states/provision", new { target = verb });
        Expect.Fault(reply, 400,
            $"The requested action \"{verb}\" can not be performed on node \"{Uuid(node)}\" while it is in state \"{state}\".");
    }

    [Test]
    public async Task A_provision_action_in_maintenance_is_400_but_power_is_allowed()
    {
        var node = await Api.CreateNodeAsync();
        await Api.BringToAsync(Uuid(node), "available");
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{Uuid(node)}/maintenance", new { reason = "r" }), 202);
        var deploy = await Api.PutAsync($"/v1/nodes/{Name(node)}/states/provision", new { target = "active" });
        Expect.Fault(deploy, 400,
            $"The provisioning operation can't be performed on node {Uuid(node)} because it's in maintenance mode.");
        var power = await Api.PutAsync($"/v1/nodes/{Name(node)}/states/power", new { target = "power on" });
        Expect.Empty(power, 202);
        await Server.IdleAsync();
    }

    [Test]
    public async Task An_unknown_power_target_names_the_current_power_state()
    {
        var node = await Api.CreateNodeAsync();
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{Uuid(node)}/states/power", new { target = "power off" }), 202);
        await Server.IdleAsync();
        var reply = await Api.PutAsync($"/v1/nodes/{Uuid(node)}/states/power", new { target = "sideways" });
        Expect.Fault(reply, 400,
            $"The requested action \"sideways\" can not be performed on node \"{Uuid(node)}\" while it is in state \"power off\".");
    }

    [Test]
    public async Task Patching_an_invalid_name_is_400()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", new[] { new { op = "replace", path = "/name", value = "bad name!" } });
        Expect.Error(reply, 400);
    }

    [Test]
    public async Task A_patch_that_fails_changes_nothing()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", new object[]
        {
            new { op = "add", path = "/extra/a", value = "1" },
            new { op = "remove", path = "/extra/nothing" },
        });
        Assert.That(reply.Status, Is.EqualTo(400), reply.ToString());
        var after = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
        Assert.That(after["extra"]?.ToJsonString(), Is.EqualTo("{}"));
    }
}
