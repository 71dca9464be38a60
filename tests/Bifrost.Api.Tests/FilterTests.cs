namespace Bifrost.Api.Tests;

/// <summary>IRONIC-API.md §2, §5: the node and port list filters the CLI sends. This fixture owns its nodes.</summary>
public sealed class FilterTests : ApiFixture
{
    private string _enrolled = "";
    private string _manageable = "";
    private string _maintained = "";
    private string _ipmi = "";
    private string _portNode = "";
    private string _portNodeName = "";
    private string _otherNode = "";
    private string _mac = "";

    [OneTimeSetUp]
    public async Task CreateNodesAsync()
    {
        _enrolled = Uuid(await Api.CreateNodeAsync());
        _manageable = Uuid(await Api.CreateNodeAsync());
        await Api.ProvisionAsync(_manageable, "manage");
        _maintained = Uuid(await Api.CreateNodeAsync());
        var put = await Api.PutAsync($"/v1/nodes/{_maintained}/maintenance", new { reason = "broken" });
        Assert.That(put.Status, Is.EqualTo(202), put.ToString());
        _ipmi = Uuid(await Api.CreateNodeAsync(new JsonObject { ["driver"] = "ipmi" }));

        var portNode = await Api.CreateNodeAsync();
        (_portNode, _portNodeName) = (Uuid(portNode), Name(portNode));
        _otherNode = Uuid(await Api.CreateNodeAsync());
        _mac = "52:54:00:AB:cd:01".ToLowerInvariant();
        await Api.CreatePortAsync(_portNode, "52:54:00:AB:CD:01");
        await Api.CreatePortAsync(_portNode, "52:54:00:ab:cd:02");
        await Api.CreatePortAsync(_otherNode, "52:54:00:ab:cd:03");
    }

    private async Task<string[]> NodeUuidsAsync(string query)
    {
        var reply = await Api.GetAsync("/v1/nodes/" + query);
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        return reply.Object["nodes"]!.AsArray().Select(n => n!["uuid"]!.GetValue<string>()).ToArray();
    }

    private async Task<JsonArray> PortsAsync(string path)
    {
        var reply = await Api.GetAsync(path);
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        return reply.Object["ports"]!.AsArray();
    }

    [Test]
    public async Task Provision_state_filter_keeps_only_that_state()
    {
        Assert.That(await NodeUuidsAsync("?provision_state=manageable"), Is.EqualTo(new[] { _manageable }));
        var enroll = await NodeUuidsAsync("?provision_state=enroll");
        Assert.That(enroll, Does.Contain(_enrolled).And.Not.Contain(_manageable));
    }

    [Test]
    public async Task An_unknown_provision_state_filter_is_400()
    {
        Expect.Error(await Api.GetAsync("/v1/nodes?provision_state=sideways"), 400);
    }

    [TestCase("True")]
    [TestCase("true")]
    [TestCase("1")]
    public async Task Maintenance_true_keeps_only_nodes_in_maintenance(string value)
    {
        Assert.That(await NodeUuidsAsync($"?maintenance={value}"), Is.EqualTo(new[] { _maintained }));
    }

    [TestCase("false")]
    [TestCase("False")]
    [TestCase("0")]
    public async Task Maintenance_false_drops_nodes_in_maintenance(string value)
    {
        var uuids = await NodeUuidsAsync($"?maintenance={value}");
        Assert.That(uuids, Does.Not.Contain(_maintained).And.Contain(_enrolled));
    }

    [Test]
    public async Task A_maintenance_filter_that_is_not_a_boolean_is_400()
    {
        Expect.Fault(await Api.GetAsync("/v1/nodes?maintenance=maybe"), 400,
            "Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'");
    }

    [Test]
    public async Task The_cli_s_combined_filter_applies_both()
    {
        Assert.That(await NodeUuidsAsync("?maintenance=True&provision_state=enroll"), Is.EqualTo(new[] { _maintained }));
        Assert.That(await NodeUuidsAsync("?maintenance=True&provision_state=manageable"), Is.Empty);
    }

    [Test]
    public async Task Driver_filter_keeps_only_that_driver()
    {
        Assert.That(await NodeUuidsAsync("?driver=ipmi"), Is.EqualTo(new[] { _ipmi }));
        Assert.That(await NodeUuidsAsync("?driver=fake-hardware"), Does.Not.Contain(_ipmi).And.Contain(_enrolled));
        Assert.That(await NodeUuidsAsync("?driver=nope"), Is.Empty);
    }

    [Test]
    public async Task Filters_apply_to_detail_too()
    {
        var reply = await Api.GetAsync("/v1/nodes/detail?driver=ipmi");
        Assert.That(reply.Object["nodes"]!.AsArray().Select(n => n!["uuid"]!.GetValue<string>()), Is.EqualTo(new[] { _ipmi }));
    }

    private static IEnumerable<TestCaseData> PortsOfNode()
    {
        yield return new TestCaseData("/v1/ports/?node={name}").SetName("ports ?node= takes a node name");
        yield return new TestCaseData("/v1/ports/?node={uuid}").SetName("ports ?node= takes a node uuid");
        yield return new TestCaseData("/v1/ports?node_uuid={uuid}").SetName("ports ?node_uuid= takes a node uuid");
        yield return new TestCaseData("/v1/ports/detail?node={name}").SetName("port detail ?node= takes a node name");
        yield return new TestCaseData("/v1/nodes/{uuid}/ports").SetName("a node's ports by uuid");
        yield return new TestCaseData("/v1/nodes/{name}/ports")
            .SetName("a node's ports by name (Ironic 21.4 answers 404 here; Bifrost lists them)");
    }

    [TestCaseSource(nameof(PortsOfNode))]
    public async Task Ports_of_one_node(string template)
    {
        var ports = await PortsAsync(template.Replace("{name}", _portNodeName).Replace("{uuid}", _portNode));
        Assert.That(ports.Select(p => p!["address"]!.GetValue<string>()).Order(),
            Is.EqualTo(new[] { "52:54:00:ab:cd:01", "52:54:00:ab:cd:02" }));
    }

    [TestCase("52:54:00:ab:cd:01")]
    [TestCase("52:54:00:AB:CD:01")]
    public async Task Ports_address_filter_is_case_insensitive(string address)
    {
        var ports = await PortsAsync($"/v1/ports/detail?address={address}");
        Assert.That(ports.Select(p => p!["address"]!.GetValue<string>()), Is.EqualTo(new[] { _mac }));
        Assert.That(ports[0]!["node_uuid"]!.GetValue<string>(), Is.EqualTo(_portNode));
    }

    [Test]
    public async Task An_address_with_no_port_lists_nothing()
    {
        Assert.That(await PortsAsync("/v1/ports/detail?address=52:54:00:ff:ff:ff"), Is.Empty);
    }

    [Test]
    public async Task The_port_list_view_has_uuid_address_links()
    {
        var ports = await PortsAsync("/v1/ports");
        Assert.That(ports.Select(p => p!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal)),
            Has.All.EqualTo(new[] { "address", "links", "uuid" }));
    }

    [Test]
    public async Task Ports_of_an_unknown_node_is_404()
    {
        Expect.Fault(await Api.GetAsync("/v1/ports?node=no-such-node"), 404, "Node no-such-node could not be found.");
        Expect.Fault(await Api.GetAsync("/v1/nodes/no-such-node/ports"), 404, "Node no-such-node could not be found.");
    }
}
