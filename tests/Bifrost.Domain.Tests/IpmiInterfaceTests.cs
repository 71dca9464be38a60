using System.Text.Json.Nodes;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Domain.Tests;

/// <summary>
/// The ipmi power and management interfaces over a recording client: which IPMI commands each request becomes, the
/// wait for the target state, and the boot mode. The client itself is tested against ipmi_sim in Bifrost.Bmc.Tests.
/// </summary>
public sealed class IpmiInterfaceTests
{
    private sealed class RecordingClient : IIpmiClient
    {
        public bool On { get; set; }
        /// <summary>Chassis status reads that still show the old state after a control command (a slow BMC).</summary>
        public int Lag { get; set; }
        public bool NeverChanges { get; set; }
        public List<string> Calls { get; } = [];
        public IpmiBootSetting? Boot { get; set; }
        private bool _pending;
        private int _lagLeft;

        public Task VerifyAsync(IpmiTarget target, CancellationToken ct) => Task.CompletedTask;

        public Task<bool> GetPowerOnAsync(IpmiTarget target, CancellationToken ct)
        {
            Calls.Add("status");
            if (_pending && _lagLeft-- <= 0 && !NeverChanges)
            {
                On = !On;
                _pending = false;
            }
            return Task.FromResult(On);
        }

        public Task ChassisControlAsync(IpmiTarget target, ChassisAction action, CancellationToken ct)
        {
            Calls.Add(action.ToString());
            var wantOn = action is ChassisAction.PowerUp or ChassisAction.PowerCycle or ChassisAction.HardReset;
            if (wantOn != On) { _pending = true; _lagLeft = Lag; }
            return Task.CompletedTask;
        }

        public Task<IpmiBootSetting?> GetBootDeviceAsync(IpmiTarget target, CancellationToken ct) => Task.FromResult(Boot);

        public Task SetBootDeviceAsync(IpmiTarget target, IpmiBootSetting setting, CancellationToken ct)
        {
            Boot = setting;
            return Task.CompletedTask;
        }
    }

    private static Node IpmiNode(JsonObject? properties = null) => new()
    {
        Driver = "ipmi",
        Name = "rack1-n3",
        DriverInfo = new JsonObject
        {
            ["ipmi_address"] = "10.0.0.9", ["ipmi_username"] = "admin", ["ipmi_password"] = "s3cret",
        },
        Properties = properties ?? new JsonObject(),
    };

    private static (HardwareType Hw, RecordingClient Client) Build()
    {
        var client = new RecordingClient();
        return (IpmiHardware.Create(client, new ManualClock(), TimeSpan.Zero), client);
    }

    [TestCase(PowerStates.On, false, new[] { "status", "PowerUp", "status" }, TestName = "power on from off: one PowerUp, then status until on")]
    [TestCase(PowerStates.On, true, new[] { "status" }, TestName = "power on when already on sends no command")]
    [TestCase(PowerStates.Off, true, new[] { "status", "PowerDown", "status" }, TestName = "power off: PowerDown")]
    [TestCase(PowerStates.SoftOff, true, new[] { "status", "SoftShutdown", "status" }, TestName = "soft power off: ACPI soft shutdown")]
    [TestCase(PowerStates.Rebooting, true, new[] { "status", "PowerDown", "status", "status", "PowerUp", "status" }, TestName = "reboot: hard off, then on")]
    [TestCase(PowerStates.SoftRebooting, true, new[] { "status", "SoftShutdown", "status", "status", "PowerUp", "status" }, TestName = "soft reboot: soft off, then on")]
    public async Task Power_targets_become_chassis_control_commands(string target, bool on, string[] expected)
    {
        var (hw, client) = Build();
        client.On = on;

        await hw.Power.SetPowerStateAsync(IpmiNode(), target, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.That(client.Calls, Is.EqualTo(expected));
        Assert.That(client.On, Is.EqualTo(PowerStates.ResultOf(target) == PowerStates.On));
    }

    [Test]
    public async Task A_slow_BMC_is_polled_until_the_state_is_reached()
    {
        var (hw, client) = Build();
        client.Lag = 3;

        await hw.Power.SetPowerStateAsync(IpmiNode(), PowerStates.On, TimeSpan.FromSeconds(60), CancellationToken.None);

        Assert.That(client.Calls.Count(c => c == "status"), Is.EqualTo(5));
        Assert.That(client.On, Is.True);
    }

    [Test]
    public void A_BMC_that_never_gets_there_fails_after_the_timeout_naming_node_and_state()
    {
        var client = new RecordingClient { NeverChanges = true };
        var clock = new ManualClock();
        var hw = IpmiHardware.Create(client, clock, TimeSpan.FromSeconds(1));
        var set = hw.Power.SetPowerStateAsync(IpmiNode(), PowerStates.On, TimeSpan.FromSeconds(3), CancellationToken.None);
        for (var i = 0; i < 10 && !set.IsCompleted; i++)
        {
            Thread.Sleep(20);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var error = Assert.ThrowsAsync<DriverOperationException>(() => set);
        Assert.That(error!.Message, Does.Contain("rack1-n3").And.Contain("10.0.0.9:623").And.Contain("'power on' within 3 s"));
        Assert.That(error.Message, Does.Not.Contain("s3cret"));
    }

    [TestCase("boot_mode:uefi", true, TestName = "capabilities boot_mode:uefi → UEFI boot flag")]
    [TestCase("boot_mode:bios,secure_boot:false", false, TestName = "capabilities boot_mode:bios → legacy")]
    [TestCase(null, true, TestName = "no boot mode → the default (uefi, as Ironic)")]
    public async Task Boot_device_carries_the_nodes_boot_mode(string? capabilities, bool uefi)
    {
        var (hw, client) = Build();
        var props = capabilities is null ? new JsonObject() : new JsonObject { ["capabilities"] = capabilities };

        await hw.Management.SetBootDeviceAsync(IpmiNode(props), "pxe", persistent: true, CancellationToken.None);

        Assert.That(client.Boot, Is.EqualTo(new IpmiBootSetting(IpmiBootDevice.Pxe, true, uefi)));
    }

    [Test]
    public async Task Boot_device_reads_back_by_Ironic_name()
    {
        var (hw, client) = Build();
        client.Boot = new IpmiBootSetting(IpmiBootDevice.Disk, Persistent: false, Uefi: false);

        var info = await hw.Management.GetBootDeviceAsync(IpmiNode(), CancellationToken.None);

        Assert.That(info, Is.EqualTo(new BootDeviceInfo("disk", false)));
        Assert.That(hw.Management.SupportedBootDevices(IpmiNode()), Is.EqualTo(new[] { "pxe", "disk", "cdrom", "bios", "safe" }));
    }

    [Test]
    public void Validate_never_touches_the_BMC()
    {
        var (hw, client) = Build();
        var missing = new Node { Driver = "ipmi" };

        Assert.That(hw.Power.Validate(IpmiNode()).Result, Is.True);
        Assert.That(hw.Management.Validate(missing).Reason, Does.Contain("ipmi_address"));
        Assert.That(client.Calls, Is.Empty);
    }
}
