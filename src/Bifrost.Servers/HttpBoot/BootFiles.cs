using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Timeline;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.HttpBoot;

/// <summary>A servable file: its route kind (images, ramdisk, tftp) and its real path inside that directory.</summary>
public sealed record BootFile(string Kind, string RealPath)
{
    /// <summary>Strong validator from size and mtime: what nginx uses, and cheap (no hashing of multi-GB images).</summary>
    public static string ETag(FileInfo info) => $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"";

    public string ContentType => RealPath.EndsWith(".ipxe", StringComparison.OrdinalIgnoreCase) ? "text/plain" : "application/octet-stream";

    public static string HttpDate(DateTime utc) => utc.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// The file routes of the boot listener (<c>/images/</c>, <c>/ramdisk/</c>, <c>/tftp/</c>), shared by the Kestrel
/// handler (<see cref="HttpBootServer"/>) and the sendfile path (<see cref="SendfileConnections"/>) so both resolve,
/// count and record a download the same way.
/// </summary>
public sealed class BootFiles(HttpBootOptions options, BootTimeline timeline, ILogger<BootFiles> log)
{
    /// <summary>Real paths of the served directories, found once they exist (a walk of the root per request costs more
    /// than the rest of a small-file request).</summary>
    private readonly ConcurrentDictionary<string, string> _realRoots = new(StringComparer.Ordinal);

    private readonly (string Prefix, string Kind, string Dir)[] _routes =
        [("/images/", "images", options.ImagesDir), ("/ramdisk/", "ramdisk", options.RamdiskDir), ("/tftp/", "tftp", options.TftpDir)];

    /// <summary>The route kind and directory of <paramref name="path"/>, or null when it is not a file route (the
    /// script route, the image service's own paths, anything else).</summary>
    public (string Kind, string Dir, string Relative)? Route(string path)
    {
        if (Images.ImageRoutes.Owns(path)) return null;
        foreach (var (prefix, kind, dir) in _routes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal)) return (kind, dir, path[prefix.Length..]);
        }
        return null;
    }

    /// <summary>The regular file under the route's directory, or null (missing, not a file, or outside it).</summary>
    public string? Resolve(string dir, string relative)
    {
        if (!_realRoots.TryGetValue(dir, out var realRoot) && SafePath.RealPath(dir) is { } found && Directory.Exists(found))
            realRoot = _realRoots.GetOrAdd(dir, found);
        return realRoot is null ? null : SafePath.ResolveFile(dir, relative, realRoot);
    }

    /// <summary>The servable file at a request path, or null.</summary>
    public BootFile? Find(string path) =>
        Route(path) is var (kind, dir, relative) && Resolve(dir, relative) is { } real ? new BootFile(kind, real) : null;

    /// <summary>Counts, logs and records (in the client's node history) one file request.</summary>
    /// <param name="outcome">The metrics outcome (ok, partial, not_modified, aborted, ...).</param>
    /// <param name="sent">Body bytes sent, counted in the bytes metric; null for none.</param>
    public void Record(string kind, string method, string path, IPAddress? client, int status, string outcome, long? sent, long length)
    {
        BootMetrics.Count(kind, outcome);
        if (client is { IsIPv4MappedToIPv6: true }) client = client.MapToIPv4();
        Log.File(log, method, path, client?.ToString() ?? "?", status);
        if (sent is { } bytes) BootMetrics.CountBytes(kind, bytes);
        if (client is not null)
            timeline.TryRecord(client, HistoryEventType.Boot, $"{method} {path} → {status} ({length} bytes)");
    }
}
