using System.Diagnostics.Metrics;

namespace Bifrost.Servers.Images;

/// <summary>Image service metrics: preparations by outcome, downloads and their retries.</summary>
public static class ImageMetrics
{
    public static readonly Meter Meter = new("Bifrost.Images");

    /// <summary>outcome: downloaded, cached, local, failed.</summary>
    public static readonly Counter<long> Prepared =
        Meter.CreateCounter<long>("bifrost_images_prepared", description: "Instance images prepared for a deploy, by outcome");

    public static readonly Counter<long> DownloadRetries =
        Meter.CreateCounter<long>("bifrost_images_download_retries", description: "Image download attempts retried after a transient error");

    public static readonly Counter<long> DownloadedBytes =
        Meter.CreateCounter<long>("bifrost_images_downloaded_bytes", unit: "By", description: "Bytes of remote images downloaded into the cache");

    public static void Count(string outcome) => Prepared.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
