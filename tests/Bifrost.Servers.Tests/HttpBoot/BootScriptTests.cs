using System.Net;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.HttpBoot;

/// <summary>GET /boot/&lt;mac&gt;.ipxe on the real daemon: the planner's answer, the MAC spellings, the timeline hop.</summary>
public class BootScriptTests
{
    private const string Mac = "52:54:00:aa:bb:01";

    [Test]
    public async Task Node_waiting_for_its_deploy_gets_the_ramdisk_script_and_the_hop_is_in_its_history()
    {
        await using var f = await BootServerFixture.StartAsync();
        f.AddRamdisk();
        var node = await f.AddNodeAsync(Mac, ProvisionState.DeployWait);

        var response = await f.Boot.GetAsync($"/boot/{Mac}.ipxe?platform=efi");
        var script = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(script, Does.StartWith("#!ipxe\n"));
        Assert.That(script, Does.Contain(
            $"kernel /ramdisk/bifrost-agent.kernel bifrost.api=http://127.0.0.1:{f.Server.BaseUri.Port} bifrost.node={node.Uuid} " +
            $"BOOTIF={Mac} initrd=bifrost-agent.initramfs\n"));
        Assert.That(script, Does.Contain("initrd /ramdisk/bifrost-agent.initramfs\nboot\n"));
        var hops = await f.BootHopsAsync(node.Uuid);
        Assert.That(hops.Select(h => h.Event),
            Has.Member($"GET /boot/{Mac}.ipxe → deploy ramdisk (state wait call-back)"));
    }

    private static IEnumerable<TestCaseData> Spellings() =>
        new[] { "52-54-00-AA-BB-01", "525400aabb01", "5254.00aa.bb01", "01-52-54-00-aa-bb-01" }
            .Select(s => new TestCaseData(s).SetName($"/boot/{s}.ipxe finds the node of {Mac}"));

    [TestCaseSource(nameof(Spellings))]
    public async Task Any_common_MAC_spelling_finds_the_node(string spelling)
    {
        await using var f = await BootServerFixture.StartAsync();
        await f.AddNodeAsync(Mac, ProvisionState.Active);
        var script = await f.Boot.GetStringAsync($"/boot/{spelling}.ipxe?platform=pcbios");
        Assert.That(script, Is.EqualTo("#!ipxe\necho Bifrost: local disk (state active)\nsanboot --no-describe --drive 0x80\n"));
    }

    [Test]
    public async Task Active_node_under_UEFI_exits_to_the_installed_OS()
    {
        await using var f = await BootServerFixture.StartAsync();
        await f.AddNodeAsync(Mac, ProvisionState.Active);
        Assert.That(await f.Boot.GetStringAsync($"/boot/{Mac}.ipxe?platform=efi"),
            Is.EqualTo("#!ipxe\necho Bifrost: local disk (state active)\nexit\n"));
    }

    [Test]
    public async Task Unknown_MAC_exits_unless_discovery_is_on()
    {
        await using (var off = await BootServerFixture.StartAsync())
        {
            Assert.That(await off.Boot.GetStringAsync("/boot/52:54:00:00:00:99.ipxe"),
                Is.EqualTo("#!ipxe\necho Bifrost: exit to next boot device (unknown MAC, discovery disabled)\nexit\n"));
        }
        await using var on = await BootServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Bifrost:Boot:Discovery"] = "true",
            ["Bifrost:Boot:ApiUrl"] = "http://10.9.0.1:6385",
        });
        on.AddRamdisk();
        Assert.That(await on.Boot.GetStringAsync("/boot/52:54:00:00:00:99.ipxe?platform=pcbios"), Does.Contain(
            "kernel /ramdisk/bifrost-agent.kernel bifrost.api=http://10.9.0.1:6385 bifrost.discovery=1 BOOTIF=52:54:00:00:00:99\n"));
    }

    [Test]
    public async Task Missing_ramdisk_is_said_on_the_console_and_recorded_as_an_error_hop()
    {
        await using var f = await BootServerFixture.StartAsync();
        var node = await f.AddNodeAsync(Mac, ProvisionState.CleanWait);
        var script = await f.Boot.GetStringAsync($"/boot/{Mac}.ipxe");
        Assert.That(script, Does.Contain("echo Bifrost: cannot boot this node: deploy ramdisk file ramdisk/bifrost-agent.kernel is missing"));
        Assert.That(script, Does.EndWith("sleep 10\nexit\n"));
        var hop = (await f.BootHopsAsync(node.Uuid)).Single();
        Assert.That(hop.Severity, Is.EqualTo(HistorySeverity.Error));
        Assert.That(hop.Event, Does.Contain("ramdisk/bifrost-agent.kernel is missing"));
    }

    [TestCase("/boot/not-a-mac.ipxe")]
    [TestCase("/boot/52:54:00:aa:bb:01")]
    [TestCase("/boot/52:54:00:aa:bb:01.txt")]
    public async Task Not_a_MAC_script_name_is_400(string path)
    {
        await using var f = await BootServerFixture.StartAsync();
        Assert.That((await f.Boot.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Boot_port_serves_no_API_and_API_port_serves_no_boot_paths()
    {
        await using var f = await BootServerFixture.StartAsync();
        await f.AddNodeAsync(Mac, ProvisionState.Active);
        Assert.That((await f.Boot.GetAsync("/v1/nodes")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await f.Boot.GetAsync("/")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await f.Server.Client.GetAsync($"/boot/{Mac}.ipxe")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await f.Server.Client.GetAsync("/v1/nodes")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Writes_are_refused_with_405()
    {
        await using var f = await BootServerFixture.StartAsync();
        var response = await f.Boot.PostAsync($"/boot/{Mac}.ipxe", new StringContent("x"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "GET", "HEAD" }));
    }
}
