namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// The ipmi hardware type against a real BMC (ipmi_sim, see TestKit IpmiSim) through the real <c>baremetal</c> CLI and
/// <c>bifrost serve</c>: manage checks the credentials, power and boot device commands change the simulator's own
/// state (read from its files and with ipmitool, not through Bifrost), and suite 0 is refused.
/// </summary>
[Category("EndToEnd")]
public sealed class IpmiTests : CliFixture
{
    private IpmiSim _bmc = null!;

    // Short retries so a stopped BMC fails the manage in seconds (the production budget is 6 s).
    protected override IDictionary<string, string> DaemonEnvironment => new Dictionary<string, string>
    {
        ["Bifrost__Conductor__AutomatedClean"] = "false",
        ["Bifrost__Ipmi__CommandTimeout"] = "0.3",
        ["Bifrost__Ipmi__RetryBudget"] = "2",
        ["Bifrost__Conductor__PowerStateChangeTimeout"] = "20",
    };

    [OneTimeSetUp]
    public void StartBmc() => _bmc = IpmiSim.Start();

    [OneTimeTearDown]
    public void StopBmc() => _bmc?.Dispose();

    private Task<string> CreateIpmiNodeAsync(string name, IpmiSim bmc, string user = IpmiSim.AdminUser,
        string password = IpmiSim.AdminPassword, params string[] extra) =>
        CreateNodeAsync(["--driver", "ipmi", "--name", name,
            "--driver-info", $"ipmi_address={bmc.Address}", "--driver-info", $"ipmi_port={bmc.Port}",
            "--driver-info", $"ipmi_username={user}", "--driver-info", $"ipmi_password={password}", .. extra]);

    [Test]
    public async Task Manage_succeeds_with_good_credentials()
    {
        await CreateIpmiNodeAsync("ipmi-good", _bmc);
        Assert.That(await OkAsync("node", "manage", "ipmi-good", "--wait", "60"), Does.Contain("manageable"));
        var node = await ShowNodeAsync("ipmi-good");
        Assert.That(Str(node, "last_error"), Is.Null);
    }

    public static IEnumerable<TestCaseData> BadBmcs()
    {
        yield return new TestCaseData("ipmi-badpass", IpmiSim.AdminUser, "not-the-password", false, "wrong password?")
            .SetName("wrong password → enroll, last_error says authentication failed");
        yield return new TestCaseData("ipmi-baduser", "nobody", IpmiSim.AdminPassword, false, "does not know user 'nobody'")
            .SetName("wrong user → enroll, last_error names the user");
        yield return new TestCaseData("ipmi-dead", IpmiSim.AdminUser, IpmiSim.AdminPassword, true, "the BMC is unreachable")
            .SetName("stopped BMC → enroll, last_error says unreachable");
    }

    [TestCaseSource(nameof(BadBmcs))]
    public async Task Manage_returns_to_enroll_with_a_clear_last_error(string name, string user, string password, bool stopped, string error)
    {
        using var dead = stopped ? IpmiSim.Start() : null;
        dead?.Stop();
        var bmc = dead ?? _bmc;
        await CreateIpmiNodeAsync(name, bmc, user, password);
        await FailsAsync($"Node {name} failed to reach state manageable. It's in unexpected stable state enroll",
            "node", "manage", name, "--wait", "60");
        var node = await ShowNodeAsync(name);
        Assert.That(Str(node, "provision_state"), Is.EqualTo("enroll"));
        Assert.That(Str(node, "last_error"), Does.Contain(error).And.Contain($"at BMC {bmc.Address}:{bmc.Port}"));
        Assert.That(Str(node, "last_error"), Does.Not.Contain("not-the-password"));
    }

    [Test]
    public async Task Forcing_cipher_suite_0_is_refused_though_the_BMC_would_accept_it()
    {
        await CreateIpmiNodeAsync("ipmi-suite0", _bmc, extra: ["--driver-info", "ipmi_cipher_suite=0"]);
        await FailsAsync("Node ipmi-suite0 failed to reach state manageable. It's in unexpected stable state enroll",
            "node", "manage", "ipmi-suite0", "--wait", "60");
        Assert.That(Str(await ShowNodeAsync("ipmi-suite0"), "last_error"),
            Does.Contain("cipher suite 0 refused").And.Contain("AllowInsecureCipherSuites"));
        // ipmi_sim itself takes suite 0, even with a wrong password: only Bifrost stands in the way.
        var (exit, output) = RunIpmitoolSuite0(_bmc);
        Assert.That(exit, Is.EqualTo(0), output);
    }

    [Test]
    public async Task Power_on_off_reboot_and_soft_off_change_the_simulator()
    {
        await CreateIpmiNodeAsync("ipmi-pwr", _bmc);
        _bmc.PowerOn = false;
        await OkAsync("node", "power", "on", "ipmi-pwr");
        await SettlesAsync("ipmi-pwr", "power on");
        Assert.That(_bmc.PowerOn, Is.True);

        await OkAsync("node", "power", "off", "ipmi-pwr");
        await SettlesAsync("ipmi-pwr", "power off");
        Assert.That(_bmc.PowerOn, Is.False);

        // Reboot from on: off, then on again (from off, Bifrost just powers on).
        await OkAsync("node", "power", "on", "ipmi-pwr");
        await SettlesAsync("ipmi-pwr", "power on");
        var before = _bmc.Calls.Count;
        await OkAsync("node", "reboot", "ipmi-pwr");
        await SettlesAsync("ipmi-pwr", "power on");
        Assert.That(_bmc.PowerOn, Is.True);
        var calls = _bmc.Calls.Skip(before).ToList();
        Assert.That(calls, Does.Contain("set power 0"));
        Assert.That(calls.LastIndexOf("set power 1"), Is.GreaterThan(calls.IndexOf("set power 0")), string.Join(", ", calls));

        await OkAsync("node", "power", "off", "--soft", "ipmi-pwr");
        await SettlesAsync("ipmi-pwr", "power off");
        Assert.That(_bmc.Calls, Does.Contain("set shutdown 1"));
        Assert.That(_bmc.PowerOn, Is.False);
    }

    [TestCase("pxe", "pxe", "Force PXE")]
    [TestCase("disk", "default", "Force Boot from default Hard-Drive")]
    public async Task Boot_device_set_persistent_reaches_the_BMC(string device, string chassisName, string ipmitoolSays)
    {
        var name = $"ipmi-boot-{device}";
        await CreateIpmiNodeAsync(name, _bmc);
        await OkAsync("node", "boot", "device", "set", name, device, "--persistent");
        Assert.That(_bmc.BootDevice, Is.EqualTo(chassisName));
        var (exit, output) = _bmc.Ipmitool("chassis", "bootparam", "get", "5");
        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("Boot Device Selector : " + ipmitoolSays));
    }

    private async Task SettlesAsync(string name, string state)
    {
        var node = await WaitForNodeAsync(name, n => Str(n, "target_power_state") is null, "a settled power state", TimeSpan.FromSeconds(60));
        Assert.That(Str(node, "power_state"), Is.EqualTo(state), Str(node, "last_error"));
        Assert.That(Str(node, "last_error"), Is.Null);
    }

    private static (int, string) RunIpmitoolSuite0(IpmiSim bmc)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Peers.Require("ipmitool", "ipmitool"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-I", "lanplus", "-C", "0", "-H", bmc.Address, "-p", bmc.Port.ToString(), "-U", "admin", "-P", "anything", "chassis", "power", "status" })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
