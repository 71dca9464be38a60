namespace Bifrost.Bmc.Ipmi;

/// <summary>How Bifrost talks to BMCs (config section <c>Bifrost:Ipmi</c>).</summary>
public sealed class IpmiClientOptions
{
    /// <summary>Allow cipher suites without authentication, integrity and confidentiality (0, 1, 2, 15, 16) when a
    /// node forces one with <c>ipmi_cipher_suite</c>. Off: anyone on the BMC network could read or forge commands.</summary>
    public bool AllowInsecureCipherSuites { get; init; }

    /// <summary>How long one attempt waits for the BMC's answer before sending again.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Total time one operation (including opening a session) may take across retries before the BMC is
    /// reported unreachable.</summary>
    public TimeSpan RetryBudget { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Minimum time between two commands to the same BMC (fragile BMCs fall over when hammered).</summary>
    public TimeSpan MinCommandInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How many BMC conversations may run at once, over all BMCs.</summary>
    public int MaxConcurrentSessions { get; init; } = 64;

    /// <summary>How long the pre-session Get Channel Cipher Suites may take before Bifrost just tries 17, then 3.</summary>
    public TimeSpan CipherDiscoveryTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A session idle this long is closed and re-opened rather than reused: BMCs time sessions out
    /// (ipmi_sim after 30 s, most BMCs after 60 s), and a command into a dead session costs a timeout.</summary>
    public TimeSpan SessionIdleLimit { get; init; } = TimeSpan.FromSeconds(20);
}
