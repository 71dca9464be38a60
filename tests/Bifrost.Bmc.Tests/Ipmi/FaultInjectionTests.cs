using System.Net;
using Bifrost.Bmc.Ipmi;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.TestKit;

namespace Bifrost.Bmc.Tests.Ipmi;

/// <summary>A real ipmi_sim behind a proxy that drops, duplicates, reorders and delays datagrams: every command still
/// gets through within the retry budget, and the simulator ends in the state the commands asked for.</summary>
[TestFixture]
public sealed class FaultInjectionTests
{
    public static IEnumerable<TestCaseData> Networks()
    {
        yield return new TestCaseData(new UdpFaults(Drop: 0.2, Seed: 11)).SetName("20% of datagrams dropped");
        yield return new TestCaseData(new UdpFaults(Duplicate: 0.5, Seed: 12)).SetName("half the datagrams duplicated");
        yield return new TestCaseData(new UdpFaults(Reorder: 0.3, Seed: 13)).SetName("30% of datagrams reordered");
        yield return new TestCaseData(new UdpFaults(MaxDelay: TimeSpan.FromMilliseconds(150), Seed: 14)).SetName("delays up to 150 ms");
        yield return new TestCaseData(new UdpFaults(0.1, 0.2, 0.2, TimeSpan.FromMilliseconds(80), Seed: 15)).SetName("all faults at once");
    }

    [TestCaseSource(nameof(Networks))]
    public async Task Commands_get_through_a_bad_network(UdpFaults faults)
    {
        using var sim = IpmiSim.Start();
        using var proxy = new FaultyUdpProxy(new IPEndPoint(IPAddress.Parse(sim.Address), sim.Port), faults);
        var options = new IpmiClientOptions
        {
            CommandTimeout = TimeSpan.FromMilliseconds(250),
            RetryBudget = TimeSpan.FromSeconds(10),
            MinCommandInterval = TimeSpan.Zero,
            CipherDiscoveryTimeout = TimeSpan.FromMilliseconds(250),
        };
        await using var client = new IpmiClient(options, TimeProvider.System);
        var target = new IpmiTarget(Guid.NewGuid(), "flaky", new IpmiDriverInfo(
            "127.0.0.1", proxy.Port, IpmiSim.AdminUser, IpmiSim.AdminPassword, null, IpmiPrivilege.Administrator));

        for (var i = 0; i < 10; i++)
        {
            var on = i % 2 == 0;
            await client.ChassisControlAsync(target, on ? ChassisAction.PowerUp : ChassisAction.PowerDown, default);
            // The chassis script runs in its own process: give its file write a moment under a loaded machine.
            Assert.That(() => sim.PowerOn, Is.EqualTo(on).After(3000, 50), $"command {i}");
            Assert.That(await client.GetPowerOnAsync(target, default), Is.EqualTo(on), $"status {i}");
        }
        Assert.That(proxy.Dropped + proxy.Duplicated + proxy.Reordered + proxy.Delayed, Is.GreaterThan(0), "the proxy injected faults");
    }
}
