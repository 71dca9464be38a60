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

    public string CacheDir => Path.Combine(ImagesDir, ImageCache.DirName);
}
