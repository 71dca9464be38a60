using Bifrost.Bmc.Ipmi;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.TestKit;
using static Bifrost.Bmc.Tests.Ipmi.ClientFixture;

namespace Bifrost.Bmc.Tests.Ipmi;

/// <summary>Bifrost's client against a real BMC (ipmi_sim), checked through the simulator's own state files and ipmitool.</summary>
[TestFixture]
public sealed class IpmiSimClientTests
{
    private IpmiSim _sim = null!;
    private IpmiClient _client = null!;

    [SetUp]
    public void SetUp()
    {
        _sim = IpmiSim.Start();
        _client = new IpmiClient(FastOptions(), TimeProvider.System);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        _sim.Dispose();
    }

    [Test]
    public async Task Power_on_off_and_status_follow_the_chassis()
    {
        var target = Target(_sim);
        Assert.That(await _client.GetPowerOnAsync(target, default), Is.False);
        await _client.ChassisControlAsync(target, ChassisAction.PowerUp, default);
        Assert.That(_sim.PowerOn, Is.True, "the simulator's power file after power up");
        Assert.That(await _client.GetPowerOnAsync(target, default), Is.True);
        await _client.ChassisControlAsync(target, ChassisAction.PowerDown, default);
        Assert.That(_sim.PowerOn, Is.False);
        Assert.That(await _client.GetPowerOnAsync(target, default), Is.False);
    }

    [TestCase(ChassisAction.PowerCycle, "set power 0")]
    [TestCase(ChassisAction.HardReset, "set reset 1")]
    [TestCase(ChassisAction.SoftShutdown, "set shutdown 1")]
    public async Task Chassis_actions_reach_the_chassis(ChassisAction action, string call)
    {
        _sim.PowerOn = true;
        await _client.ChassisControlAsync(Target(_sim), action, default);
        Assert.That(_sim.Calls, Does.Contain(call));
    }

    [TestCase(IpmiBootDevice.Pxe, "pxe", "Force PXE")]
    [TestCase(IpmiBootDevice.Disk, "default", "Force Boot from default Hard-Drive")]
    [TestCase(IpmiBootDevice.Cdrom, "cdrom", "Force Boot from CD/DVD")]
    [TestCase(IpmiBootDevice.Bios, "bios", "Force Boot into BIOS Setup")]
    public async Task Boot_device_reaches_the_BMC_and_reads_back_with_ipmitool(IpmiBootDevice device, string chassisName, string ipmitoolSays)
    {
        await _client.SetBootDeviceAsync(Target(_sim), new IpmiBootSetting(device, Persistent: true, Uefi: true), default);
        Assert.That(_sim.BootDevice, Is.EqualTo(chassisName));
        var (exit, output) = _sim.Ipmitool("chassis", "bootparam", "get", "5");
        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("Boot Device Selector : " + ipmitoolSays));
    }

    [Test]
    public async Task Boot_device_read_back_is_null_because_ipmi_sim_drops_the_valid_bit()
    {
        // ipmi_sim keeps only the device selector of parameter 5 (LAB.md): the valid bit reads back clear, and Bifrost
        // reports "no valid boot flags" rather than inventing them.
        await _client.SetBootDeviceAsync(Target(_sim), new IpmiBootSetting(IpmiBootDevice.Pxe, true, false), default);
        Assert.That(await _client.GetBootDeviceAsync(Target(_sim), default), Is.Null);
    }

    [Test]
    public async Task One_session_serves_many_commands()
    {
        var target = Target(_sim);
        await _client.VerifyAsync(target, default);
        for (var i = 0; i < 20; i++) await _client.GetPowerOnAsync(target, default);
        await _client.ChassisControlAsync(target, ChassisAction.PowerUp, default);
        Assert.That(_client.SessionsOpened, Is.EqualTo(1));
    }

    [Test]
    public async Task A_restarted_BMC_gets_a_new_session()
    {
        var target = Target(_sim);
        await _client.GetPowerOnAsync(target, default);
        _sim.Stop();
        _sim.Start();
        _sim.PowerOn = true;
        Assert.That(await _client.GetPowerOnAsync(target, default), Is.True);
        Assert.That(_client.SessionsOpened, Is.EqualTo(2));
    }

    [Test]
    public async Task Cipher_suite_3_is_chosen_because_ipmi_sim_does_not_offer_17()
    {
        await _client.VerifyAsync(Target(_sim), default);
        await _client.VerifyAsync(Target(_sim, suite: 3), default);
        Assert.That(_client.SessionsOpened, Is.EqualTo(1), "the discovered suite (3) and the forced 3 share the session");
    }

    [Test]
    public void Wrong_password_is_an_authentication_failure_without_the_password()
    {
        var e = Assert.ThrowsAsync<IpmiException>(() => _client.VerifyAsync(Target(_sim, password: "hunter2-wrong"), default))!;
        Assert.That(e.Failure, Is.EqualTo(IpmiErrorKind.AuthenticationFailed));
        Assert.That(e.Message, Does.StartWith(Target(_sim).Describe()).And.Contain("wrong password?").And.Not.Contain("hunter2"));
    }

    [Test]
    public void Unknown_user_is_reported_as_such()
    {
        var e = Assert.ThrowsAsync<IpmiException>(() => _client.VerifyAsync(Target(_sim, user: "nobody"), default))!;
        Assert.That(e.Failure, Is.EqualTo(IpmiErrorKind.UnknownUser));
        Assert.That(e.Message, Does.StartWith(Target(_sim).Describe()).And.Contain("nobody"));
    }

    [Test]
    public void A_USER_level_session_may_not_control_power()
    {
        var target = Target(_sim, IpmiSim.ViewerUser, IpmiSim.ViewerPassword, privilege: "USER");
        var e = Assert.ThrowsAsync<IpmiException>(() => _client.ChassisControlAsync(target, ChassisAction.PowerUp, default))!;
        Assert.That(e.Failure, Is.EqualTo(IpmiErrorKind.InsufficientPrivilege), e.Message);
        Assert.That(_sim.PowerOn, Is.False);
    }

    [Test]
    public void A_stopped_BMC_is_unreachable()
    {
        _sim.Stop();
        var e = Assert.ThrowsAsync<IpmiException>(() => _client.GetPowerOnAsync(Target(_sim), default))!;
        Assert.That(e.Failure, Is.EqualTo(IpmiErrorKind.Unreachable));
        Assert.That(e.Message, Does.StartWith(Target(_sim).Describe()).And.Contain("unreachable"));
    }

    [Test]
    public async Task Suite_0_is_refused_by_Bifrost_though_ipmi_sim_accepts_it()
    {
        var e = Assert.ThrowsAsync<IpmiException>(() => _client.VerifyAsync(Target(_sim, suite: 0), default))!;
        Assert.That(e.Failure, Is.EqualTo(IpmiErrorKind.UnsupportedCipherSuite));
        Assert.That(e.Message, Does.Contain("no authentication, no integrity, no confidentiality").And.Contain("AllowInsecureCipherSuites"));
        Assert.That(_client.SessionsOpened, Is.Zero, "refused before any packet");

        // The same BMC lets suite 0 in even with a wrong password: only Bifrost's refusal protects this node.
        await using var insecure = new IpmiClient(FastOptions(allowInsecure: true), TimeProvider.System);
        await insecure.VerifyAsync(Target(_sim, password: "not-the-password", suite: 0), default);
        Assert.That(insecure.SessionsOpened, Is.EqualTo(1));
    }

    [TestCase(6)]
    [TestCase(25)]
    public void Undefined_or_md5_suites_are_refused_with_a_reason(int suite)
    {
        var target = new IpmiTarget(Guid.NewGuid(), null,
            new IpmiDriverInfo(_sim.Address, _sim.Port, IpmiSim.AdminUser, IpmiSim.AdminPassword, suite, IpmiPrivilege.Administrator));
        var e = Assert.ThrowsAsync<IpmiException>(() => _client.VerifyAsync(target, default))!;
        Assert.That(e.Failure, Is.EqualTo(IpmiErrorKind.UnsupportedCipherSuite));
    }
}
