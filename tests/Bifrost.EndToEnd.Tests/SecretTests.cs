namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// An IPMI password goes in through the CLI and never comes out: <c>******</c> in every CLI view
/// (IRONIC-API.md §5, §9.9), and absent from the daemon's log even along the paths that log errors about the node
/// (failed verification, failed power action) and through shutdown.
/// </summary>
[Category("EndToEnd")]
public sealed class SecretTests : CliFixture
{
    [Test]
    public async Task Ipmi_password_is_masked_in_every_view_and_never_logged()
    {
        var password = Secret("Ipmi-Pa55w0rd-e2e-7f3a");
        var created = await JsonAsync("node", "create", "--driver", "ipmi", "--name", "ipmi-masked",
            "--driver-info", "ipmi_address=127.0.0.1", "--driver-info", "ipmi_port=9",
            "--driver-info", "ipmi_username=admin", "--driver-info", $"ipmi_password={password}");
        var uuid = Str(created, "uuid");
        var info = created.GetProperty("driver_info");
        Assert.Multiple(() =>
        {
            Assert.That(Str(info, "ipmi_address"), Is.EqualTo("127.0.0.1"));
            Assert.That(info.GetProperty("ipmi_port").GetInt32(), Is.EqualTo(9), "the CLI sends ipmi_port=9 as a number");
            Assert.That(Str(info, "ipmi_username"), Is.EqualTo("admin"));
            Assert.That(Str(info, "ipmi_password"), Is.EqualTo("******"));
            Assert.That(Str(created, "power_interface"), Is.EqualTo("ipmitool"));
            Assert.That(Str(created, "management_interface"), Is.EqualTo("ipmitool"));
            Assert.That(Str(created, "boot_interface"), Is.EqualTo("ipxe"));
            Assert.That(Str(created, "deploy_interface"), Is.EqualTo("direct"));
        });

        Assert.That(Str((await ShowNodeAsync("ipmi-masked")).GetProperty("driver_info"), "ipmi_password"), Is.EqualTo("******"));
        Assert.That(Str((await ShowNodeAsync(uuid!, "driver_info")).GetProperty("driver_info"), "ipmi_password"), Is.EqualTo("******"));
        var row = (await JsonAsync("node", "list", "--long")).EnumerateArray().Single(r => Str(r, "Name") == "ipmi-masked");
        Assert.That(Str(row.GetProperty("Driver Info"), "ipmi_password"), Is.EqualTo("******"));

        var newPassword = Secret("Ipmi-N3w-Pa55w0rd-e2e-91c0");
        await OkAsync("node", "set", "ipmi-masked", "--driver-info", $"ipmi_password={newPassword}");
        Assert.That(Str((await ShowNodeAsync("ipmi-masked")).GetProperty("driver_info"), "ipmi_password"), Is.EqualTo("******"));
        await OkAsync("node", "validate", "ipmi-masked");

        // Paths that write the node's errors to last_error, history and the log.
        await RunAsync("node", "manage", "ipmi-masked", "--wait", "120");
        await OkAsync("node", "power", "on", "ipmi-masked");
        var failed = await WaitForNodeAsync("ipmi-masked", n => Str(n, "target_power_state") is null, "a settled power state",
            TimeSpan.FromSeconds(120));
        Assert.That(Str(failed, "last_error"), Does.StartWith("Failed to change power state to 'power on' by 'power on'. Error: "));
        await JsonAsync("node", "history", "list", "ipmi-masked");

        var log = await StopDaemonNowAsync();
        Assert.That(log, Does.Contain("ipmi-masked"), "the log covers this node");
        Assert.That(log, Does.Not.Contain(password).And.Not.Contain(newPassword));
    }
}
