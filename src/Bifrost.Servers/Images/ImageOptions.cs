namespace Bifrost.Servers.Images;

/// <summary>The image service's settings (<c>Bifrost:Images:*</c>).</summary>
public sealed record ImageOptions
{
    /// <summary>StateDir/images: local images, and the download cache in its <c>.cache</c> subdirectory.</summary>
    public required string ImagesDir { get; init; }
    /// <summary>A download that receives nothing for this long is aborted (and retried): a stall, not a total.</summary>
    public TimeSpan DownloadStallTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Retries after a transient download error (connection reset, 5xx, stall), with doubling backoff.</summary>
    public int DownloadRetries { get; init; } = 4;
    /// <summary>First backoff; doubled each retry.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Size limit of the download cache (Ironic's image_cache_size, 20 GiB); 0 = no limit.</summary>
    public long CacheMaxBytes { get; init; } = 20L * 1024 * 1024 * 1024;
    /// <summary>Cached downloads unused for this long are removed (Ironic's image_cache_ttl, 7 days); zero = never.</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromDays(7);

    public string CacheDir => Path.Combine(ImagesDir, ImageCache.DirName);
}
