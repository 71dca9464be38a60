using System.Diagnostics.Metrics;

namespace Bifrost.Servers.Dhcp;

/// <summary>The <c>Bifrost.Dhcp</c> meter (Prometheus names; the exporter adds <c>_total</c> to counters).</summary>
internal static class DhcpMetrics
{
    public static readonly Meter Meter = new("Bifrost.Dhcp");

    /// <summary>Requests received, by <c>message_type</c> (discover, request, …; "none" for BOOTP).</summary>
    public static readonly Counter<long> PacketsIn = Meter.CreateCounter<long>("bifrost_dhcp_packets_in");

    /// <summary>Replies sent, by <c>message_type</c> (offer, ack, nak).</summary>
    public static readonly Counter<long> PacketsOut = Meter.CreateCounter<long>("bifrost_dhcp_packets_out");

    /// <summary>Packets dropped, by <c>reason</c>: malformed (did not decode) or error (the handler failed).</summary>
    public static readonly Counter<long> Drops = Meter.CreateCounter<long>("bifrost_dhcp_drops");

    /// <summary>Exchanges of MACs that belong to no node (they are not in any timeline).</summary>
    public static readonly Counter<long> Unmatched = Meter.CreateCounter<long>("bifrost_dhcp_unmatched_exchanges");

    private static Func<long>? _activeLeases;

    /// <summary>Committed, unexpired leases of the running server.</summary>
    public static readonly ObservableGauge<long> LeasesActive =
        Meter.CreateObservableGauge("bifrost_dhcp_leases_active", () => _activeLeases?.Invoke() ?? 0);

    public static void ObserveLeases(Func<long>? active) => _activeLeases = active;
}
