using Bifrost.Bmc.Ipmi;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.TestKit;

namespace Bifrost.Bmc.Tests.Ipmi;

/// <summary>Helpers shared by the tests that drive <see cref="IpmiClient"/> against a real ipmi_sim.</summary>
internal static class ClientFixture
{
    /// <summary>Short timeouts so the unreachable cases take seconds, not the production 6 s budget each.</summary>
    public static IpmiClientOptions FastOptions(bool allowInsecure = false) => new()
    {
        AllowInsecureCipherSuites = allowInsecure,
        CommandTimeout = TimeSpan.FromMilliseconds(300),
        RetryBudget = TimeSpan.FromSeconds(2),
        MinCommandInterval = TimeSpan.Zero,
        CipherDiscoveryTimeout = TimeSpan.FromMilliseconds(300),
    };

    public static IpmiTarget Target(IpmiSim sim, string user = IpmiSim.AdminUser, string password = IpmiSim.AdminPassword,
        int? suite = null, string? privilege = null) =>
        new(Guid.Parse("11111111-2222-3333-4444-555555555555"), "node-1", IpmiDriverInfo.Parse(sim.DriverInfo(user, password, suite, privilege)));
}
