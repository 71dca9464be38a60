namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// Power actions, maintenance and the boot device on fake-hardware (IRONIC-API.md §2, §4, §6 "Power"). Fake power
/// is instant here; <see cref="TransientStateTests"/> slows it down to watch <c>target_power_state</c>.
/// </summary>
[Category("EndToEnd")]
public sealed class PowerTests : CliFixture
{
    protected override IDictionary<string, string> DaemonEnvironment => new Dictionary<string, string>
    {
        ["Bifrost__Conductor__AutomatedClean"] = "false",
    };

    [Test]
    public async Task Power_on_off_reboot_and_soft_off_change_power_state()
    {
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "pwr");
        Assert.That(Str(await ShowNodeAsync("pwr", "power_state"), "power_state"), Is.Null, "null until the first power action");

        await OkAsync("node", "power", "on", "pwr");
        await AssertPowerSettlesAsync("pwr", "power on");

        await OkAsync("node", "power", "off", "pwr");
        await AssertPowerSettlesAsync("pwr", "power off");

        // A reboot ends powered on (IRONIC-API.md §6), even from off.
        await OkAsync("node", "reboot", "pwr");
        await AssertPowerSettlesAsync("pwr", "power on");

        await OkAsync("node", "power", "off", "--soft", "pwr");
        await AssertPowerSettlesAsync("pwr", "power off");

        var list = await JsonAsync("node", "list");
        Assert.That(Str(list.EnumerateArray().Single(r => Str(r, "Name") == "pwr"), "Power State"), Is.EqualTo("power off"));
    }

    [Test]
    public async Task Maintenance_blocks_provisioning_but_not_power()
    {
        var uuid = await CreateNodeAsync("--driver", "fake-hardware", "--name", "maint");
        await MakeAvailableAsync("maint");

        await OkAsync("node", "maintenance", "set", "maint", "--reason", "disk swap");
        var node = await ShowNodeAsync("maint", "maintenance", "maintenance_reason");
        Assert.That(node.GetProperty("maintenance").GetBoolean(), Is.True);
        Assert.That(Str(node, "maintenance_reason"), Is.EqualTo("disk swap"));

        await FailsAsync($"The provisioning operation can't be performed on node {uuid} because it's in maintenance mode. (HTTP 400)",
            "node", "deploy", "maint");

        await OkAsync("node", "power", "on", "maint");
        await AssertPowerSettlesAsync("maint", "power on");

        await OkAsync("node", "maintenance", "unset", "maint");
        node = await ShowNodeAsync("maint", "maintenance", "maintenance_reason", "provision_state");
        Assert.That(node.GetProperty("maintenance").GetBoolean(), Is.False);
        Assert.That(Str(node, "maintenance_reason"), Is.Null);
        Assert.That(Str(node, "provision_state"), Is.EqualTo("available"), "the refused deploy changed nothing");
    }

    [Test]
    public async Task Boot_device_set_show_supported_and_an_unsupported_device()
    {
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "boot");

        var before = await JsonAsync("node", "boot", "device", "show", "boot");
        Assert.That(before.GetProperty("boot_device").ValueKind, Is.EqualTo(JsonValueKind.Null));

        await OkAsync("node", "boot", "device", "set", "boot", "pxe", "--persistent");
        var persistent = await JsonAsync("node", "boot", "device", "show", "boot");
        Assert.That(Str(persistent, "boot_device"), Is.EqualTo("pxe"));
        Assert.That(persistent.GetProperty("persistent").GetBoolean(), Is.True);

        await OkAsync("node", "boot", "device", "set", "boot", "pxe");
        var once = await JsonAsync("node", "boot", "device", "show", "boot");
        Assert.That(Str(once, "boot_device"), Is.EqualTo("pxe"));
        Assert.That(once.GetProperty("persistent").GetBoolean(), Is.False);

        // The CLI prints the list as one comma-separated cell; fake management supports PXE only.
        var supported = await JsonAsync("node", "boot", "device", "show", "boot", "--supported");
        Assert.That(Str(supported, "supported_boot_devices"), Is.EqualTo("pxe"));

        await FailsAsync("Invalid boot device disk specified. (HTTP 400)", "node", "boot", "device", "set", "boot", "disk");
        Assert.That(Str(await JsonAsync("node", "boot", "device", "show", "boot"), "boot_device"), Is.EqualTo("pxe"));
    }

    private async Task AssertPowerSettlesAsync(string ident, string expected)
    {
        var node = await WaitForNodeAsync(ident, n => Str(n, "target_power_state") is null, "a settled power state");
        Assert.That(Str(node, "power_state"), Is.EqualTo(expected));
        Assert.That(Str(node, "last_error"), Is.Null);
    }
}
