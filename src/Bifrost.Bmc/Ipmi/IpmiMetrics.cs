using System.Diagnostics.Metrics;

namespace Bifrost.Bmc.Ipmi;

/// <summary>Instruments of the IPMI client (meter <c>Bifrost.Ipmi</c>; Prometheus names, the exporter adds _total).</summary>
internal static class IpmiMetrics
{
    private static readonly Meter Meter = new("Bifrost.Ipmi");

    public static readonly Counter<long> Commands = Meter.CreateCounter<long>(
        "bifrost_ipmi_commands", description: "IPMI operations by command and outcome");

    public static readonly Counter<long> SessionsOpened = Meter.CreateCounter<long>(
        "bifrost_ipmi_sessions_opened", description: "RMCP+ sessions established");

    public static readonly Counter<long> Retransmits = Meter.CreateCounter<long>(
        "bifrost_ipmi_retransmits", description: "Datagrams sent again after a timeout");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "bifrost_ipmi_command_duration_seconds", unit: "s", description: "Time of one IPMI operation, queueing included");
}
