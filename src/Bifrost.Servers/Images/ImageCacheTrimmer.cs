namespace Bifrost.Servers.Images;

/// <summary>
/// Keeps StateDir/images/.cache bounded, the way Ironic bounds its master image cache (<c>image_cache_size</c>,
/// <c>image_cache_ttl</c>): downloads unused for longer than the TTL go, then the least recently used ones until the
/// cache fits its size. "Used" is the file's access time, which Bifrost sets itself whenever a deploy prepares the
/// image (so it does not depend on the mount's atime policy). An image used within <see cref="Protect"/> is never
/// removed: a deploy that prepared it may not have downloaded it to its disk yet. Downloads in progress
/// (<c>*.part</c>) are left alone unless they are a day old (left by a crash).
/// </summary>
public static class ImageCacheTrimmer
{
    /// <summary>How long after its last use an image is safe from eviction (longer than any agent takes to fetch it
    /// after a deploy prepared it: the deploy callback timeout is 30 minutes by default).</summary>
    public static readonly TimeSpan Protect = TimeSpan.FromHours(1);

    private static readonly TimeSpan OrphanAge = TimeSpan.FromDays(1);

    /// <summary>Marks a cached image used now.</summary>
    public static void Touch(string path, DateTime nowUtc)
    {
        try
        {
            File.SetLastAccessTimeUtc(path, nowUtc);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or read-only: nothing to remember.
        }
    }

    /// <summary>What one trim removed and what the cache holds afterwards.</summary>
    public sealed record Result(IReadOnlyList<(string Name, long Bytes, string Why)> Removed, long BytesLeft, int FilesLeft);

    /// <param name="maxBytes">The cache's size limit; 0 = no limit.</param>
    /// <param name="ttl">Unused for longer than this → removed; zero = no TTL.</param>
    public static Result Trim(string cacheDir, long maxBytes, TimeSpan ttl, DateTime nowUtc)
    {
        var removed = new List<(string, long, string)>();
        if (!Directory.Exists(cacheDir)) return new Result(removed, 0, 0);
        var entries = new List<(FileInfo Info, DateTime Used)>();
        foreach (var info in new DirectoryInfo(cacheDir).EnumerateFiles())
        {
            if (ImageCache.IsCacheFileName(info.Name))
                entries.Add((info, info.LastAccessTimeUtc > info.LastWriteTimeUtc ? info.LastAccessTimeUtc : info.LastWriteTimeUtc));
            else if (info.Name.EndsWith(".part", StringComparison.Ordinal) && nowUtc - info.LastWriteTimeUtc > OrphanAge
                     && TryDelete(info.FullName))
                removed.Add((info.Name, info.Length, "an unfinished download left by a crash"));
        }

        var total = entries.Sum(e => e.Info.Length);
        var left = entries.Count;
        foreach (var (info, used) in entries.OrderBy(e => e.Used))
        {
            var idle = nowUtc - used;
            if (idle < Protect) continue;
            string? why = null;
            if (ttl > TimeSpan.Zero && idle > ttl) why = $"unused for {idle.TotalDays:0.#} days (TTL {ttl.TotalDays:0.#} days)";
            else if (maxBytes > 0 && total > maxBytes) why = $"least recently used; the cache is over its {maxBytes / 1048576} MiB";
            if (why is null || !TryDelete(info.FullName)) continue;
            ImageCache.Forget(cacheDir, info.FullName);
            total -= info.Length;
            left--;
            removed.Add((info.Name, info.Length, why));
        }
        return new Result(removed, total, left);
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
