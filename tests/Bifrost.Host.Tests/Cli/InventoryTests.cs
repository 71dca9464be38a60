using System.Text.Json.Nodes;
using Bifrost.Host.Cli;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Cli;

/// <summary>The YAML inventory reader: both shapes, the bmc shorthand, and errors that name the node and key.</summary>
public class InventoryTests
{
    [Test]
    public void Bifrost_shape_with_bmc_shorthand_becomes_ipmi_driver_info_kept_as_strings()
    {
        var nodes = Inventory.Parse("""
            n1:
              bmc: {address: 10.0.0.9, username: admin, password: 12345, port: 6230}
              nics: [{mac: "52:54:00:AA:BB:01"}]
              properties: {cpus: 8, cpu_arch: x86_64, local_gb: 1.5, spare: true}
            """);
        var n = nodes.Single();
        Assert.That(n.Name, Is.EqualTo("n1"));
        Assert.That(n.Driver, Is.EqualTo("ipmi"), "Bifrost's default driver");
        Assert.That(n.DriverInfo.ToJsonString(), Is.EqualTo(
            """{"ipmi_address":"10.0.0.9","ipmi_username":"admin","ipmi_password":"12345","ipmi_port":"6230"}"""),
            "a numeric-looking password stays a string");
        Assert.That(n.Macs, Is.EqualTo(new[] { "52:54:00:aa:bb:01" }));
        Assert.That(n.Properties.ToJsonString(), Is.EqualTo("""{"cpus":8,"cpu_arch":"x86_64","local_gb":1.5,"spare":true}"""));
    }

    [Test]
    public void A_nodes_list_with_macs_and_quoted_numbers()
    {
        var nodes = Inventory.Parse("""
            nodes:
              - name: a
                driver: fake-hardware
                macs: ["52:54:00:00:00:01", "52:54:00:00:00:01", "52:54:00:00:00:02"]
                properties: {serial: "0042"}
              - name: b
                driver: fake-hardware
            """);
        Assert.That(nodes.Select(n => n.Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(nodes[0].Macs, Is.EqualTo(new[] { "52:54:00:00:00:01", "52:54:00:00:00:02" }), "duplicates dropped");
        Assert.That(nodes[0].Properties["serial"]!.GetValue<string>(), Is.EqualTo("0042"), "quoted scalars stay strings");
        Assert.That(nodes[1].Macs, Is.Empty);
    }

    private static IEnumerable<TestCaseData> Bad()
    {
        yield return new TestCaseData("n1: [1, 2", "not valid YAML").SetName("broken YAML → says so with the line");
        yield return new TestCaseData("- a\n- b\n", "must be a mapping").SetName("a top-level list → must be a mapping");
        yield return new TestCaseData("n1: 5\n", "n1: must be a mapping").SetName("a node that is a scalar → names the node");
        yield return new TestCaseData("n1:\n  nics: [{ip: 1}]\n", "n1: every entry of 'nics' needs a 'mac'").SetName("a nic without mac → names node and key");
        yield return new TestCaseData("n1:\n  bmc: {adress: x}\n", "n1: unknown bmc key 'adress'").SetName("a misspelt bmc key → named");
        yield return new TestCaseData("nodes:\n  - name: a\n  - name: a\n", "a: appears twice").SetName("a name twice → named");
        yield return new TestCaseData("nodes:\n  - driver: ipmi\n", "a node has no 'name'").SetName("a listed node without name → says so");
    }

    [TestCaseSource(nameof(Bad))]
    public void A_bad_inventory_is_a_usage_error_naming_what_is_wrong(string yaml, string message)
    {
        var e = Assert.Throws<CliException>(() => Inventory.Parse(yaml))!;
        Assert.That(e.Code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(e.Message, Does.Contain(message));
    }

    [Test]
    public void The_patch_of_an_existing_node_skips_masked_secrets_and_names_fields_without_values()
    {
        var want = Inventory.Parse("""
            n1:
              driver: ipmi
              driver_info: {ipmi_address: 10.0.0.2, ipmi_password: new-secret}
              properties: {cpus: 4, memory_mb: 2048}
            """).Single();
        var have = JsonNode.Parse("""
            {"driver": "ipmi", "driver_info": {"ipmi_address": "10.0.0.1", "ipmi_password": "******"},
             "properties": {"cpus": 4, "extra": 1}}
            """)!.AsObject();
        var changes = new List<string>();
        var ops = EnrollVerb.Diff(have, want, changes);
        Assert.That(changes, Is.EqualTo(new[] { "driver_info.ipmi_address", "properties.memory_mb" }));
        Assert.That(ops.Select(o => o!["path"]!.GetValue<string>()), Is.EqualTo(new[] { "/driver_info/ipmi_address", "/properties/memory_mb" }));
        Assert.That(ops.ToJsonString(), Does.Not.Contain("new-secret"));
    }
}
