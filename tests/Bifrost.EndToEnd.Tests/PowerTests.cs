namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// Power actions, maintenance and the boot device on fake-hardware (IRONIC-API.md §2, §4, §6 "Power"). A fake power
/// change takes <see cref="PowerDelay"/> seconds, so the next CLI call still sees <c>target_power_state</c>.
/// </summary>
[Category("EndToEnd")]
public sealed class PowerTests : CliFixture
{
    private const int PowerDelay = 4;

    protected override IDictionary<string, string> DaemonEnvironment => new Dictionary<string, string>
    {
        ["Bifrost__Fake__PowerDelay"] = PowerDelay.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Bifrost__Conductor__AutomatedClean"] = "false",
    };

    [Test]
    public async Task Power_on_off_reboot_and_soft_off_move_power_state_through_a_visible_target()
    {
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "pwr");

        await OkAsync("node", "power", "on", "pwr");
        var pending = await ShowNodeAsync("pwr", "power_state", "target_power_state");
        Assert.That(Str(pending, "target_power_state"), Is.EqualTo("power on"), $"{PowerDelay} s fake power change");
        Assert.That(Str(pending, "power_state"), Is.Null, "fake power is null before its first change completes");
        await AssertPowerSettlesAsync("pwr", "power on");

        await OkAsync("node", "power", "off", "pwr");
        pending = await ShowNodeAsync("pwr", "power_state", "target_power_state");
        Assert.That(Str(pending, "target_power_state"), Is.EqualTo("power off"));
        Assert.That(Str(pending, "power_state"), Is.EqualTo("power on"));
        await AssertPowerSettlesAsync("pwr", "power off");

        // A reboot ends powered on; its target is "power on" (IRONIC-API.md §6).
        await OkAsync("node", "reboot", "pwr");
        pending = await ShowNodeAsync("pwr", "power_state", "target_power_state");
        Assert.That(Str(pending, "target_power_state"), Is.EqualTo("power on"));
        await AssertPowerSettlesAsync("pwr", "power on");

        await OkAsync("node", "power", "off", "--soft", "pwr");
        pending = await ShowNodeAsync("pwr", "power_state", "target_power_state");
        Assert.That(Str(pending, "target_power_state"), Is.EqualTo("power off"));
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
        Assert.That(Str(await ShowNodeAsync("maint", "provision_state"), "provision_state"), Is.EqualTo("available"));

        await OkAsync("node", "power", "on", "maint");
        await AssertPowerSettlesAsync("maint", "power on");

        await OkAsync("node", "maintenance", "unset", "maint");
        node = await ShowNodeAsync("maint", "maintenance", "maintenance_reason", "provision_state");
        Assert.That(node.GetProperty("maintenance").GetBoolean(), Is.False);
        Assert.That(Str(node, "maintenance_reason"), Is.Null);
        Assert.That(Str(node, "provision_state"), Is.EqualTo("available"));
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
