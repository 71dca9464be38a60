using System.Text.Json.Nodes;
using Bifrost.Domain.Boot;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Domain.Tests;

/// <summary>The boot planner's rules, one named case each, and the scripts they render to.</summary>
public class BootPlannerTests
{
    private const string Mac = "52:54:00:12:34:56";
    private const string Api = "http://10.0.0.1:6385";
    private static readonly BootSettings Settings = new();

    private static BootRequest Request(Node? node, BootFirmware firmware = BootFirmware.Uefi, bool ramdisk = true) => new()
    {
        Mac = Mac, Node = node, Firmware = firmware, ApiUrl = Api, RamdiskFileExists = _ => ramdisk,
    };

    private static Node NodeIn(ProvisionState state)
    {
        var node = NodeBuilder.Fake("n1");
        node.ProvisionState = state;
        return node;
    }

    private static IEnumerable<TestCaseData> StateRules()
    {
        foreach (var s in new[]
                 {
                     ProvisionState.Deploying, ProvisionState.DeployWait, ProvisionState.Cleaning, ProvisionState.CleanWait,
                     ProvisionState.Inspecting, ProvisionState.InspectWait,
                 })
            yield return new TestCaseData(s, BootAction.DeployRamdisk).SetName($"{s.ToWire()} → deploy ramdisk");
        yield return new TestCaseData(ProvisionState.Active, BootAction.LocalDisk).SetName("active → local disk (no PXE loop)");
        foreach (var s in ProvisionStates.All.Where(s => s != ProvisionState.Active && !BootPlanner.RamdiskStates.Contains(s)))
            yield return new TestCaseData(s, BootAction.Exit).SetName($"{s.ToWire()} → exit to the next boot device");
    }

    [TestCaseSource(nameof(StateRules))]
    public void A_nodes_state_decides_its_boot(ProvisionState state, BootAction expected)
    {
        var plan = BootPlanner.Plan(Request(NodeIn(state)), Settings);
        Assert.That(plan.Action, Is.EqualTo(expected));
        Assert.That(plan.Reason, Is.EqualTo($"state {state.ToWire()}"));
    }

    [Test]
    public void Deploy_ramdisk_carries_the_api_url_the_node_identity_and_its_mac()
    {
        var node = NodeIn(ProvisionState.DeployWait);
        var plan = BootPlanner.Plan(Request(node, BootFirmware.Bios), Settings);
        Assert.That(plan.Kernel, Is.EqualTo("bifrost-agent.kernel"));
        Assert.That(plan.Initrd, Is.EqualTo("bifrost-agent.initramfs"));
        Assert.That(plan.KernelArgs, Is.EqualTo($"bifrost.api={Api} bifrost.node={node.Uuid} BOOTIF={Mac}"));
        Assert.That(plan.Summary, Is.EqualTo("deploy ramdisk (state wait call-back)"));
    }

    private static IEnumerable<TestCaseData> CommandLineRules()
    {
        yield return new TestCaseData(BootFirmware.Uefi, new BootSettings(), null, "initrd=bifrost-agent.initramfs")
            .SetName("UEFI → initrd=NAME on the kernel command line");
        yield return new TestCaseData(BootFirmware.Bios, new BootSettings(), null, "")
            .SetName("BIOS → no initrd= argument");
        yield return new TestCaseData(BootFirmware.Bios, new BootSettings { KernelArgs = "console=ttyS0,115200" }, null,
            "console=ttyS0,115200").SetName("Boot:KernelArgs appended to every ramdisk boot");
        yield return new TestCaseData(BootFirmware.Bios, new BootSettings { KernelArgs = "quiet" }, "nomodeset",
            "quiet nomodeset").SetName("driver_info.kernel_append_params appended after the global arguments");
        yield return new TestCaseData(BootFirmware.Uefi, new BootSettings { RamdiskInitrd = "ipa.initramfs" }, null,
            "initrd=ipa.initramfs").SetName("initrd= names the configured initrd");
    }

    [TestCaseSource(nameof(CommandLineRules))]
    public void Kernel_command_line(BootFirmware firmware, BootSettings settings, string? nodeArgs, string expectedTail)
    {
        var node = NodeIn(ProvisionState.CleanWait);
        if (nodeArgs is not null) node.DriverInfo["kernel_append_params"] = nodeArgs;
        var plan = BootPlanner.Plan(Request(node, firmware), settings);
        var identity = $"bifrost.api={Api} bifrost.node={node.Uuid} BOOTIF={Mac}";
        Assert.That(plan.KernelArgs, Is.EqualTo(expectedTail.Length == 0 ? identity : $"{identity} {expectedTail}"));
    }

    [Test]
    public void Unknown_MAC_with_discovery_enabled_boots_the_discovery_ramdisk_without_a_node_identity()
    {
        var plan = BootPlanner.Plan(Request(null, BootFirmware.Bios), Settings with { Discovery = true });
        Assert.That(plan.Action, Is.EqualTo(BootAction.DiscoveryRamdisk));
        Assert.That(plan.KernelArgs, Is.EqualTo($"bifrost.api={Api} bifrost.discovery=1 BOOTIF={Mac}"));
    }

    [Test]
    public void Unknown_MAC_with_discovery_disabled_exits()
    {
        var plan = BootPlanner.Plan(Request(null), Settings);
        Assert.That(plan.Action, Is.EqualTo(BootAction.Exit));
        Assert.That(plan.Reason, Is.EqualTo("unknown MAC, discovery disabled"));
    }

    [Test]
    public void Missing_ramdisk_file_is_an_error_plan_naming_the_file()
    {
        var plan = BootPlanner.Plan(Request(NodeIn(ProvisionState.InspectWait)) with
        {
            RamdiskFileExists = f => f != "bifrost-agent.initramfs",
        }, Settings);
        Assert.That(plan.Action, Is.EqualTo(BootAction.Error));
        Assert.That(plan.Error, Is.EqualTo("deploy ramdisk file ramdisk/bifrost-agent.initramfs is missing on the Bifrost server"));
    }

    private static IEnumerable<TestCaseData> FirmwareFallback()
    {
        yield return new TestCaseData(null, BootFirmware.Uefi).SetName("firmware not said, no boot mode → UEFI (Ironic's default)");
        yield return new TestCaseData("boot_mode:bios", BootFirmware.Bios).SetName("firmware not said → the node's boot_mode capability");
    }

    [TestCaseSource(nameof(FirmwareFallback))]
    public void Firmware_falls_back_to_the_nodes_boot_mode(string? capabilities, BootFirmware expected)
    {
        var node = NodeIn(ProvisionState.Active);
        if (capabilities is not null) node.Properties["capabilities"] = capabilities;
        Assert.That(BootPlanner.Plan(Request(node, BootFirmware.Unknown), Settings).Firmware, Is.EqualTo(expected));
    }

    [Test]
    public void The_requests_firmware_wins_over_the_nodes_boot_mode()
    {
        var node = NodeIn(ProvisionState.Active);
        node.Properties["capabilities"] = new JsonObject { ["boot_mode"] = "uefi" };
        Assert.That(BootPlanner.Plan(Request(node, BootFirmware.Bios), Settings).Firmware, Is.EqualTo(BootFirmware.Bios));
    }

    private static IEnumerable<TestCaseData> Scripts()
    {
        var node = NodeIn(ProvisionState.DeployWait);
        yield return new TestCaseData(BootPlanner.Plan(Request(node, BootFirmware.Uefi), Settings),
            "#!ipxe\necho Bifrost: deploy ramdisk (state wait call-back)\n" +
            $"kernel /ramdisk/bifrost-agent.kernel bifrost.api={Api} bifrost.node={node.Uuid} BOOTIF={Mac} initrd=bifrost-agent.initramfs\n" +
            "initrd /ramdisk/bifrost-agent.initramfs\nboot\n").SetName("script: ramdisk → kernel, initrd, boot");
        yield return new TestCaseData(BootPlanner.Plan(Request(NodeIn(ProvisionState.Active), BootFirmware.Bios), Settings),
            "#!ipxe\necho Bifrost: local disk (state active)\nsanboot --no-describe --drive 0x80\n")
            .SetName("script: active on BIOS → sanboot --no-describe --drive 0x80");
        yield return new TestCaseData(BootPlanner.Plan(Request(NodeIn(ProvisionState.Active), BootFirmware.Uefi), Settings),
            "#!ipxe\necho Bifrost: local disk (state active)\nexit\n").SetName("script: active on UEFI → exit");
        yield return new TestCaseData(BootPlanner.Plan(Request(NodeIn(ProvisionState.Available)), Settings),
            "#!ipxe\necho Bifrost: exit to next boot device (state available)\nexit\n")
            .SetName("script: other states → exit");
        yield return new TestCaseData(BootPlanner.Plan(Request(NodeIn(ProvisionState.Cleaning), ramdisk: false), Settings),
            "#!ipxe\necho Bifrost: cannot boot this node: deploy ramdisk file ramdisk/bifrost-agent.kernel is missing on the Bifrost server\n" +
            "echo Bifrost: state cleaning; returning to the firmware in 10 s\nsleep 10\nexit\n")
            .SetName("script: missing ramdisk → echo why, pause, exit");
    }

    [TestCaseSource(nameof(Scripts))]
    public void Rendered_script(BootPlan plan, string expected) =>
        Assert.That(BootScripts.Render(plan).Render(), Is.EqualTo(expected));

    private static IEnumerable<TestCaseData> Macs()
    {
        foreach (var spelling in new[]
                 {
                     "52:54:00:12:34:56", "52-54-00-12-34-56", "525400123456", "5254.0012.3456", "52:54:00:12:34:56".ToUpperInvariant(),
                     "01-52-54-00-12-34-56",
                 })
            yield return new TestCaseData(spelling, true).SetName($"MAC spelling {spelling} is accepted");
        foreach (var bad in new[] { "", "52:54:00:12:34", "52:54:00:12:34:56:78", "zz:54:00:12:34:56", "../etc/passwd", "02-52-54-00-12-34-56" })
            yield return new TestCaseData(bad, false).SetName($"MAC spelling '{bad}' is refused");
    }

    [TestCaseSource(nameof(Macs))]
    public void MAC_spellings(string text, bool ok)
    {
        Assert.That(MacAddresses.TryNormalise(text, out var mac), Is.EqualTo(ok));
        if (ok) Assert.That(mac, Is.EqualTo("52:54:00:12:34:56"));
    }
}
