namespace Bifrost.Api.Tests;

/// <summary>IRONIC-API.md §5: GET /v1/nodes/{n}/validate, one entry per interface.</summary>
public sealed class ValidateTests : ApiFixture
{
    private static readonly string[] Interfaces =
        ["bios", "boot", "console", "deploy", "inspect", "management", "network", "power", "raid", "rescue", "storage"];

    private async Task<JsonObject> ValidateAsync(string ident)
    {
        var reply = await Api.GetAsync($"/v1/nodes/{ident}/validate");
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        return reply.Object;
    }

    [Test]
    public async Task Fake_hardware_validates_every_interface()
    {
        var node = await Api.CreateNodeAsync();
        var result = await ValidateAsync(Name(node));
        Assert.That(result.Select(kv => kv.Key).Order(StringComparer.Ordinal), Is.EqualTo(Interfaces));
        foreach (var (iface, value) in result)
            Assert.That(value?.ToJsonString(), Is.EqualTo("{\"result\":true}"), iface);
    }

    [Test]
    public async Task Ipmi_without_an_address_fails_power_and_management_with_ironics_reason()
    {
        var node = await Api.CreateNodeAsync(new JsonObject { ["driver"] = "ipmi" });
        var result = await ValidateAsync(Uuid(node));
        Assert.That(result.Select(kv => kv.Key).Order(StringComparer.Ordinal), Is.EqualTo(Interfaces));
        const string missing = "Missing the following IPMI credentials in node's driver_info: ['ipmi_address'].";
        Assert.Multiple(() =>
        {
            Assert.That(result["power"]?.ToJsonString(), Is.EqualTo(new JsonObject { ["result"] = false, ["reason"] = missing }.ToJsonString()));
            Assert.That(result["management"]?["result"]?.GetValue<bool>(), Is.False);
            Assert.That(result["deploy"]?["result"]?.GetValue<bool>(), Is.False, "no image_source");
            Assert.That(result["deploy"]?["reason"]?.GetValue<string>(), Does.Contain("image_source"));
            Assert.That(result["boot"]?["result"]?.GetValue<bool>(), Is.True);
            Assert.That(result["network"]?["result"]?.GetValue<bool>(), Is.True);
            Assert.That(result["bios"]?["reason"]?.GetValue<string>(),
                Is.EqualTo("Driver ipmi does not support bios (disabled or not implemented)."));
        });
    }

    [Test]
    public async Task Ipmi_with_an_address_validates_power_and_deploy_fails_until_an_image_is_set()
    {
        var node = await Api.CreateNodeAsync(new JsonObject
        {
            ["driver"] = "ipmi",
            ["driver_info"] = new JsonObject { ["ipmi_address"] = "192.0.2.10" },
        });
        var result = await ValidateAsync(Uuid(node));
        Assert.That(result["power"]?.ToJsonString(), Is.EqualTo("{\"result\":true}"));
        Assert.That(result["deploy"]?["result"]?.GetValue<bool>(), Is.False);
        Assert.That(result["deploy"]?["reason"]?.GetValue<string>(), Is.Not.Empty);

        await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", new[] { new { op = "add", path = "/instance_info/image_source", value = "http://images.example/a.qcow2" } });
        result = await ValidateAsync(Uuid(node));
        Assert.That(result["deploy"]?["result"]?.GetValue<bool>(), Is.False, "a URL needs a checksum (as in Ironic)");
        Assert.That(result["deploy"]?["reason"]?.GetValue<string>(), Does.Contain("image_checksum"));

        await Api.PatchAsync($"/v1/nodes/{Uuid(node)}", new[] { new { op = "add", path = "/instance_info/image_checksum", value = new string('a', 64) } });
        result = await ValidateAsync(Uuid(node));
        Assert.That(result["deploy"]?.ToJsonString(), Is.EqualTo("{\"result\":true}"));
    }
}
