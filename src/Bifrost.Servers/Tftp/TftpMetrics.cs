using System.Diagnostics.Metrics;

namespace Bifrost.Servers.Tftp;

/// <summary>Instruments of the TFTP server (meter <c>Bifrost.Tftp</c>; the exporter adds <c>_total</c> to counters).</summary>
internal static class TftpMetrics
{
    public static readonly Meter Meter = new("Bifrost.Tftp");

    /// <summary>Finished transfers by <c>outcome</c>: completed, probe (ERROR 8 after OACK), client_error, timeout,
    /// refused (we answered an ERROR), failed (a local error such as an unreadable file).</summary>
    public static readonly Counter<long> Transfers = Meter.CreateCounter<long>("bifrost_tftp_transfers");

    /// <summary>DATA payload bytes put on the wire, retransmissions included.</summary>
    public static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("bifrost_tftp_bytes_sent", "By");

    public static readonly Histogram<double> Duration =
        Meter.CreateHistogram<double>("bifrost_tftp_transfer_duration_seconds", "s");

    public static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>("bifrost_tftp_active_transfers");

    public static void Finished(string outcome) => Transfers.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
