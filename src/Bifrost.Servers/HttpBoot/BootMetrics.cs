using System.Diagnostics.Metrics;

namespace Bifrost.Servers.HttpBoot;

/// <summary>HTTP boot metrics: requests by kind (script, images, ramdisk, tftp) and outcome.</summary>
public static class BootMetrics
{
    public static readonly Meter Meter = new("Bifrost.Boot");

    /// <summary>Outcome: for scripts the plan (deploy_ramdisk, discovery_ramdisk, local_disk, exit, error); for files
    /// the HTTP result (ok, partial, not_modified, not_found, bad_request).</summary>
    public static readonly Counter<long> Requests =
        Meter.CreateCounter<long>("bifrost_boot_requests", description: "HTTP boot requests by kind and outcome");

    public static void Count(string kind, string outcome) =>
        Requests.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Body bytes sent, by kind (images, ramdisk, tftp).</summary>
    public static readonly Counter<long> BytesSent =
        Meter.CreateCounter<long>("bifrost_boot_bytes_sent", unit: "By", description: "HTTP boot body bytes sent by kind");

    public static void CountBytes(string kind, long bytes) => BytesSent.Add(bytes, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Whole-file responses sent by sendfile(2) (the rest of the file responses went through Kestrel).</summary>
    public static readonly Counter<long> SendfileResponses =
        Meter.CreateCounter<long>("bifrost_boot_sendfile_responses", description: "HTTP boot file responses sent with sendfile, by kind");
}
