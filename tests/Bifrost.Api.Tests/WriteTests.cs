using System.Text.Json;

namespace Bifrost.Api.Tests;

/// <summary>IRONIC-API.md §5 "Responses to writes" and §7: create, patch, delete, state and management PUTs.</summary>
public sealed class WriteTests : ApiFixture
{
    private async Task<JsonObject> PatchOkAsync(string ident, params object[] ops)
    {
        var reply = await Api.PatchAsync($"/v1/nodes/{ident}", ops);
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        return reply.Object;
    }

    [Test]
    public async Task Create_is_201_with_location_of_the_new_node()
    {
        var reply = await Api.PostAsync("/v1/nodes", new { driver = "fake-hardware", name = Names.New() });
        Assert.That(reply.Status, Is.EqualTo(201), reply.ToString());
        Assert.That(reply.ContentType, Does.StartWith("application/json"));
        Assert.That(reply.Message.Headers.Location?.ToString(), Is.EqualTo($"{Api.Base}/v1/nodes/{Uuid(reply.Object)}"));
    }

    private static IEnumerable<TestCaseData> Patches()
    {
        TestCaseData Row(string rule, string before, string ops, string field, string expected) =>
            new TestCaseData(before, ops, field, expected).SetName(rule);
        // before: a patch applied first (or ""), ops: the patch under test, then the field's expected JSON.
        yield return Row("add sets the name", "", "[{\"op\":\"add\",\"path\":\"/name\",\"value\":\"renamed-{n}\"}]", "name", "\"renamed-{n}\"");
        yield return Row("replace sets the name", "", "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"other-{n}\"}]", "name", "\"other-{n}\"");
        yield return Row("remove clears the name", "", "[{\"op\":\"remove\",\"path\":\"/name\"}]", "name", "null");
        yield return Row("add puts a key into properties", "", "[{\"op\":\"add\",\"path\":\"/properties/cpus\",\"value\":4}]", "properties", "{\"cpus\":4}");
        yield return Row("add nests inside properties", "[{\"op\":\"add\",\"path\":\"/properties/caps\",\"value\":{}}]",
            "[{\"op\":\"add\",\"path\":\"/properties/caps/boot_mode\",\"value\":\"uefi\"}]", "properties", "{\"caps\":{\"boot_mode\":\"uefi\"}}");
        yield return Row("replace changes a nested value", "[{\"op\":\"add\",\"path\":\"/properties/caps\",\"value\":{\"a\":1,\"b\":2}}]",
            "[{\"op\":\"replace\",\"path\":\"/properties/caps/a\",\"value\":3}]", "properties", "{\"caps\":{\"a\":3,\"b\":2}}");
        yield return Row("remove drops a nested key", "[{\"op\":\"add\",\"path\":\"/properties/caps\",\"value\":{\"a\":1,\"b\":2}}]",
            "[{\"op\":\"remove\",\"path\":\"/properties/caps/a\"}]", "properties", "{\"caps\":{\"b\":2}}");
        yield return Row("add on an existing key replaces it", "[{\"op\":\"add\",\"path\":\"/extra/note\",\"value\":\"old\"}]",
            "[{\"op\":\"add\",\"path\":\"/extra/note\",\"value\":\"new\"}]", "extra", "{\"note\":\"new\"}");
        yield return Row("remove drops an extra key", "[{\"op\":\"add\",\"path\":\"/extra/note\",\"value\":\"x\"}]",
            "[{\"op\":\"remove\",\"path\":\"/extra/note\"}]", "extra", "{}");
        yield return Row("replace of the whole extra object", "", "[{\"op\":\"replace\",\"path\":\"/extra\",\"value\":{\"k\":[1,2]}}]", "extra", "{\"k\":[1,2]}");
        yield return Row("remove of the whole extra object resets it to {}", "[{\"op\":\"add\",\"path\":\"/extra/a\",\"value\":1}]",
            "[{\"op\":\"remove\",\"path\":\"/extra\"}]", "extra", "{}");
        yield return Row("add to driver_info", "", "[{\"op\":\"add\",\"path\":\"/driver_info/ipmi_address\",\"value\":\"10.0.0.9\"}]",
            "driver_info", "{\"ipmi_address\":\"10.0.0.9\"}");
        yield return Row("add to instance_info", "", "[{\"op\":\"add\",\"path\":\"/instance_info/image_source\",\"value\":\"img\"}]",
            "instance_info", "{\"image_source\":\"img\"}");
        yield return Row("the CLI's multi-field set applies every operation",
            "", "[{\"op\":\"add\",\"path\":\"/properties/cpus\",\"value\":4},{\"op\":\"add\",\"path\":\"/extra/note\",\"value\":\"hi\"},{\"op\":\"add\",\"path\":\"/extra/n2\",\"value\":2}]",
            "extra", "{\"note\":\"hi\",\"n2\":2}");
        yield return Row("add to an array appends with -", "[{\"op\":\"add\",\"path\":\"/extra/l\",\"value\":[1]}]",
            "[{\"op\":\"add\",\"path\":\"/extra/l/-\",\"value\":2}]", "extra", "{\"l\":[1,2]}");
        yield return Row("a patch of resource_class", "", "[{\"op\":\"add\",\"path\":\"/resource_class\",\"value\":\"gold\"}]", "resource_class", "\"gold\"");
        yield return Row("a patch of maintenance sets it", "", "[{\"op\":\"replace\",\"path\":\"/maintenance\",\"value\":true}]", "maintenance", "true");
    }

    [TestCaseSource(nameof(Patches))]
    public async Task Patch(string before, string ops, string field, string expected)
    {
        var node = await Api.CreateNodeAsync();
        var n = Guid.NewGuid().ToString("N")[..8];
        if (before.Length > 0) await PatchOkAsync(Uuid(node), JsonNode.Parse(before)!.AsArray().Cast<object>().ToArray());
        var reply = await Api.PatchAsync($"/v1/nodes/{Name(node)}", ops.Replace("{n}", n));
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        Assert.That(reply.Object[field]?.ToJsonString() ?? "null", Is.EqualTo(expected.Replace("{n}", n)));
        var shown = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
        Assert.That(reply.Object.ToJsonString(), Is.EqualTo(shown.ToJsonString()), "the PATCH answer is the full node as GET shows it");
    }

    [Test]
    public async Task Patching_the_driver_needs_reset_interfaces_when_the_interfaces_do_not_fit()
    {
        var node = await Api.CreateNodeAsync();
        var ops = new[] { new { op = "replace", path = "/driver", value = "ipmi" } };
        var plain = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", ops);
        Expect.Error(plain, 400);
        Assert.That(plain.Body, Does.Contain("is not supported by hardware type"));

        var reset = await Api.PatchAsync($"/v1/nodes/{Uuid(node)}?reset_interfaces=true", ops);
        Assert.That(reset.Status, Is.EqualTo(200), reset.ToString());
        Assert.That(reset.Object["driver"]?.GetValue<string>(), Is.EqualTo("ipmi"));
        Assert.That(reset.Object["power_interface"]?.GetValue<string>(), Is.EqualTo("ipmitool"));
        Assert.That(reset.Object["deploy_interface"]?.GetValue<string>(), Is.EqualTo("direct"));
    }

    [Test]
    public async Task Patching_maintenance_off_clears_the_reason()
    {
        var node = await Api.CreateNodeAsync();
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{Uuid(node)}/maintenance", new { reason = "r" }), 202);
        var patched = await PatchOkAsync(Uuid(node), new { op = "replace", path = "/maintenance", value = false });
        Assert.That(patched["maintenance"]?.GetValue<bool>(), Is.False);
        Assert.That(patched["maintenance_reason"], Is.Null);
    }

    [Test]
    public async Task Delete_is_204_and_the_node_is_gone()
    {
        var node = await Api.CreateNodeAsync();
        Expect.Empty(await Api.DeleteAsync($"/v1/nodes/{Name(node)}"), 204);
        Expect.Fault(await Api.GetAsync($"/v1/nodes/{Uuid(node)}"), 404, $"Node {Uuid(node)} could not be found.");
    }

    private static IEnumerable<TestCaseData> PowerTargets()
    {
        yield return new TestCaseData("power on", "power on").SetName("power on ends powered on");
        yield return new TestCaseData("power off", "power off").SetName("power off ends powered off");
        yield return new TestCaseData("rebooting", "power on").SetName("rebooting ends powered on");
        yield return new TestCaseData("soft power off", "power off").SetName("soft power off ends powered off");
        yield return new TestCaseData("soft rebooting", "power on").SetName("soft rebooting ends powered on");
    }

    [TestCaseSource(nameof(PowerTargets))]
    public async Task Power_put_is_202_empty_without_content_type_with_location(string target, string result)
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.PutAsync($"/v1/nodes/{Name(node)}/states/power", new { target });
        Expect.Empty(reply, 202);
        Assert.That(reply.Message.Content.Headers.ContentLength, Is.EqualTo(0));
        Assert.That(reply.Message.Headers.Location?.ToString(), Is.EqualTo($"{Api.Base}/v1/nodes/{Name(node)}/states"));
        await Server.IdleAsync();
        var states = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}/states")).Object;
        Assert.That(states["power_state"]?.GetValue<string>(), Is.EqualTo(result));
        Assert.That(states["target_power_state"], Is.Null);
    }

    [Test]
    public async Task Power_with_a_timeout_is_accepted()
    {
        var node = await Api.CreateNodeAsync();
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{Uuid(node)}/states/power", new { target = "power on", timeout = 10 }), 202);
        await Server.IdleAsync();
    }

    [Test]
    public async Task Provision_put_is_202_empty_without_content_type_with_location()
    {
        var node = await Api.CreateNodeAsync();
        var reply = await Api.PutAsync($"/v1/nodes/{Name(node)}/states/provision", new { target = "manage" });
        Expect.Empty(reply, 202);
        Assert.That(reply.Message.Content.Headers.ContentLength, Is.EqualTo(0));
        Assert.That(reply.Message.Headers.Location?.ToString(), Is.EqualTo($"{Api.Base}/v1/nodes/{Name(node)}/states"));
        await Server.IdleAsync();
        Assert.That((await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object["provision_state"]?.GetValue<string>(), Is.EqualTo("manageable"));
    }

    private static IEnumerable<TestCaseData> Lifecycle()
    {
        yield return new TestCaseData(new[] { "manage", "provide", "active", "deleted" },
            new[] { "manageable", "available", "active", "available" }).SetName("manage, provide, deploy and undeploy end in their stable states");
        yield return new TestCaseData(new[] { "manage", "provide", "deploy", "rebuild", "undeploy" },
            new[] { "manageable", "available", "active", "active", "available" }).SetName("the 1.73 deploy and undeploy verbs are aliases");
        yield return new TestCaseData(new[] { "manage", "inspect", "provide", "manage" },
            new[] { "manageable", "manageable", "available", "manageable" }).SetName("inspect returns to manageable; manage from available is immediate");
        yield return new TestCaseData(new[] { "manage", "adopt" }, new[] { "manageable", "active" }).SetName("adopt ends active");
    }

    [TestCaseSource(nameof(Lifecycle))]
    public async Task Provision_verbs_walk_the_state_machine(string[] verbs, string[] states)
    {
        var node = await Api.CreateNodeAsync();
        for (var i = 0; i < verbs.Length; i++)
        {
            await Api.ProvisionAsync(Name(node), verbs[i]);
            var shown = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
            Assert.That(shown["provision_state"]?.GetValue<string>(), Is.EqualTo(states[i]), $"after {verbs[i]}: {shown["last_error"]}");
            Assert.That(shown["target_provision_state"], Is.Null, $"after {verbs[i]}");
            Assert.That(shown["reservation"], Is.Null, $"after {verbs[i]}");
        }
    }

    [Test]
    public async Task Clean_with_steps_returns_to_manageable()
    {
        var node = await Api.CreateNodeAsync();
        await Api.ProvisionAsync(Uuid(node), "manage");
        var reply = await Api.PutAsync($"/v1/nodes/{Uuid(node)}/states/provision",
            new { target = "clean", clean_steps = new[] { new { @interface = "deploy", step = "erase_devices" } } });
        Expect.Empty(reply, 202);
        await Server.IdleAsync();
        Assert.That((await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object["provision_state"]?.GetValue<string>(), Is.EqualTo("manageable"));
    }

    [Test]
    public async Task Maintenance_put_and_delete_are_202_empty_without_content_type()
    {
        var node = await Api.CreateNodeAsync();
        var set = await Api.PutAsync($"/v1/nodes/{Name(node)}/maintenance", new { reason = "disk swap" });
        Expect.Empty(set, 202);
        Assert.That(set.Message.Headers.Location, Is.Null, "maintenance answers carry no Location");
        var shown = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
        Assert.That(shown["maintenance"]?.GetValue<bool>(), Is.True);
        Assert.That(shown["maintenance_reason"]?.GetValue<string>(), Is.EqualTo("disk swap"));

        var unset = await Api.DeleteAsync($"/v1/nodes/{Name(node)}/maintenance");
        Expect.Empty(unset, 202);
        shown = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
        Assert.That(shown["maintenance"]?.GetValue<bool>(), Is.False);
        Assert.That(shown["maintenance_reason"], Is.Null);
    }

    [Test]
    public async Task Maintenance_with_a_null_reason_is_accepted()
    {
        var node = await Api.CreateNodeAsync();
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{Uuid(node)}/maintenance", "{\"reason\": null}"), 202);
        Assert.That((await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object["maintenance"]?.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Boot_device_set_is_204_and_shows_afterwards()
    {
        var node = await Api.CreateNodeAsync();
        var before = (await Api.GetAsync($"/v1/nodes/{Name(node)}/management/boot_device")).Object;
        Assert.That(before.ToJsonString(), Is.EqualTo("{\"boot_device\":null,\"persistent\":null}"));

        var put = await Api.PutAsync($"/v1/nodes/{Name(node)}/management/boot_device", new { boot_device = "pxe", persistent = true });
        Expect.Empty(put, 204);
        var after = (await Api.GetAsync($"/v1/nodes/{Name(node)}/management/boot_device")).Object;
        Assert.That(after.ToJsonString(), Is.EqualTo("{\"boot_device\":\"pxe\",\"persistent\":true}"));

        var supported = (await Api.GetAsync($"/v1/nodes/{Name(node)}/management/boot_device/supported")).Object;
        Assert.That(supported.ToJsonString(), Is.EqualTo("{\"supported_boot_devices\":[\"pxe\"]}"));
    }

    [Test]
    public async Task Boot_device_persistent_defaults_to_false()
    {
        var node = await Api.CreateNodeAsync();
        Expect.Empty(await Api.PutAsync($"/v1/nodes/{Uuid(node)}/management/boot_device", new { boot_device = "pxe" }), 204);
        var after = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}/management/boot_device")).Object;
        Assert.That(after["persistent"]?.GetValueKind(), Is.EqualTo(JsonValueKind.False));
    }

    [Test]
    public async Task The_last_error_of_a_failed_action_shows_and_a_new_action_clears_it()
    {
        // ipmi with no BMC address fails verification: manage goes back to enroll with last_error.
        var node = await Api.CreateNodeAsync(new JsonObject { ["driver"] = "ipmi" });
        await Api.ProvisionAsync(Uuid(node), "manage");
        var shown = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}")).Object;
        Assert.That(shown["provision_state"]?.GetValue<string>(), Is.EqualTo("enroll"));
        Assert.That(shown["last_error"]?.GetValue<string>(), Does.Contain("ipmi_address"));
    }
}
