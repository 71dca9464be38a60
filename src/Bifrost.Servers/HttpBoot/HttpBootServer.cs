using System.Net;
using Bifrost.Domain.Boot;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Store;
using Bifrost.Domain.Timeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Bifrost.Servers.HttpBoot;

/// <summary>
/// The HTTP boot server: <c>/boot/&lt;mac&gt;.ipxe</c> (the planner's script) and read-only files under
/// <c>/images/</c>, <c>/ramdisk/</c> and <c>/tftp/</c>. It runs on its own Kestrel listener as a separate branch of the
/// pipeline: nothing of the API (and none of its middleware) answers on the boot port, and no boot path answers on the
/// API port. Boot endpoints reveal no secrets and stay unauthenticated (firmware cannot log in).
/// </summary>
public sealed class HttpBootServer(HttpBootOptions options, INodeStore store, BootTimeline timeline, ILogger<HttpBootServer> log)
{
    /// <summary>Real paths of the served directories, found once they exist (a walk of the root per request costs more
    /// than the rest of a small-file request).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _realRoots = new(StringComparer.Ordinal);

    public HttpBootOptions Options => options;

    public async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var path = request.Path.Value ?? "/";
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            ctx.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            ctx.Response.Headers.Allow = "GET, HEAD";
            return;
        }

        if (path.StartsWith("/boot/", StringComparison.Ordinal))
            await ScriptAsync(ctx, path["/boot/".Length..]);
        else if (Images.ImageRoutes.Owns(path)) // qcow2 raw views; cache sidecars refused
            await Images.ImageRoutes.HandleAsync(ctx, options.ImagesDir, timeline, log);
        else if (Root(path) is var (kind, dir, relative))
            await FileAsync(ctx, kind, dir, relative);
        else
            await NotFoundAsync(ctx, "other", "no such boot path");
    }

    private (string Kind, string Dir, string Relative)? Root(string path)
    {
        foreach (var (prefix, dir) in new[] { ("images", options.ImagesDir), ("ramdisk", options.RamdiskDir), ("tftp", options.TftpDir) })
        {
            if (path.StartsWith($"/{prefix}/", StringComparison.Ordinal))
                return (prefix, dir, path[(prefix.Length + 2)..]);
        }
        return null;
    }

    private async Task ScriptAsync(HttpContext ctx, string file)
    {
        if (!file.EndsWith(".ipxe", StringComparison.OrdinalIgnoreCase)
            || !MacAddresses.TryNormalise(file[..^".ipxe".Length], out var mac))
        {
            BootMetrics.Count("script", "bad_request");
            Log.Refused(log, ctx.Request.Method, ctx.Request.Path, Client(ctx), "not /boot/<mac>.ipxe");
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ctx.Response.WriteAsync("expected /boot/<mac>.ipxe, e.g. /boot/52:54:00:12:34:56.ipxe\n", ctx.RequestAborted);
            return;
        }

        var port = await store.GetPortByAddressAsync(mac, ctx.RequestAborted);
        var node = port is null ? null : await store.GetNodeAsync(port.NodeUuid, ctx.RequestAborted);
        var plan = BootPlanner.Plan(new BootRequest
        {
            Mac = mac,
            Node = node,
            Firmware = BootFirmwares.FromPlatform(ctx.Request.Query["platform"]),
            ApiUrl = ApiUrl(ctx),
            RamdiskFileExists = name => SafePath.ResolveFile(options.RamdiskDir, name) is not null,
        }, options.Planner);

        var who = node?.ToString() ?? "unknown MAC";
        var severity = plan.Action == BootAction.Error ? HistorySeverity.Error : HistorySeverity.Info;
        if (plan.Action == BootAction.Error) Log.ScriptError(log, mac, who, plan.Summary);
        else Log.Script(log, mac, who, plan.Summary);
        timeline.TryRecord(mac, HistoryEventType.Boot, $"GET /boot/{mac}.ipxe → {plan.Summary}", severity);
        BootMetrics.Count("script", Outcome(plan.Action));

        var body = BootScripts.Render(plan).Render();
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store"; // the answer changes with the node's state
        ctx.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(body);
        if (!HttpMethods.IsHead(ctx.Request.Method)) await ctx.Response.WriteAsync(body, ctx.RequestAborted);
    }

    private async Task FileAsync(HttpContext ctx, string kind, string dir, string relative)
    {
        if (!_realRoots.TryGetValue(dir, out var realRoot) && SafePath.RealPath(dir) is { } found && Directory.Exists(found))
            realRoot = _realRoots.GetOrAdd(dir, found);
        var real = realRoot is null ? null : SafePath.ResolveFile(dir, relative, realRoot);
        if (real is null)
        {
            await NotFoundAsync(ctx, kind, "missing, not a file, or outside its directory");
            return;
        }

        var info = new FileInfo(real);
        // Strong validator from size and mtime: what nginx uses, and cheap (no hashing of multi-GB images).
        var etag = new EntityTagHeaderValue($"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"");
        var contentType = real.EndsWith(".ipxe", StringComparison.OrdinalIgnoreCase) ? "text/plain" : "application/octet-stream";
        // PhysicalFileResult streams from disk (sendfile where possible) and implements HEAD, Range, If-Range,
        // If-None-Match and If-Modified-Since; we do not write range code of our own.
        if (IsPlainGet(ctx.Request))
        {
            await StreamWholeFileAsync(ctx, info, contentType, etag);
        }
        else
        {
            var result = Results.File(real, contentType, fileDownloadName: null, lastModified: info.LastWriteTimeUtc,
                entityTag: etag, enableRangeProcessing: true);
            await result.ExecuteAsync(ctx);
        }

        var status = ctx.Response.StatusCode;
        BootMetrics.Count(kind, status switch
        {
            StatusCodes.Status200OK => "ok",
            StatusCodes.Status206PartialContent => "partial",
            StatusCodes.Status304NotModified => "not_modified",
            StatusCodes.Status416RangeNotSatisfiable => "bad_range",
            _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Log.File(log, ctx.Request.Method, ctx.Request.Path, Client(ctx), status);
        if (HttpMethods.IsGet(ctx.Request.Method) && ctx.Response.ContentLength is { } sent) BootMetrics.CountBytes(kind, sent);
        if (ctx.Connection.RemoteIpAddress is { } client)
        {
            timeline.TryRecord(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client, HistoryEventType.Boot,
                $"{ctx.Request.Method} {ctx.Request.Path} → {status} ({info.Length} bytes)");
        }
    }

    /// <summary>A GET of the whole file with no validators: nothing for ASP.NET's file result to decide.</summary>
    private static bool IsPlainGet(HttpRequest request)
    {
        var h = request.Headers;
        return HttpMethods.IsGet(request.Method) && h.Range.Count == 0 && h.IfNoneMatch.Count == 0 && h.IfModifiedSince.Count == 0
               && h.IfMatch.Count == 0 && h.IfUnmodifiedSince.Count == 0 && h.IfRange.Count == 0;
    }

    private const int StreamChunk = 1024 * 1024;

    /// <summary>
    /// Whole-file download (the agent streaming an image, iPXE fetching a ramdisk): 1 MiB synchronous reads from the
    /// page cache straight into the response. ASP.NET's file result copies in 64 KiB async reads, which bench/http
    /// measured at a third of nginx's rate; Range and conditional requests still go through it.
    /// </summary>
    private static async Task StreamWholeFileAsync(HttpContext ctx, FileInfo info, string contentType, EntityTagHeaderValue etag)
    {
        var response = ctx.Response;
        using var handle = File.OpenHandle(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(handle);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = length;
        response.Headers.ETag = etag.ToString();
        response.Headers.LastModified = info.LastWriteTimeUtc.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        response.Headers.AcceptRanges = "bytes";
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(StreamChunk);
        try
        {
            long offset = 0;
            while (offset < length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(StreamChunk, length - offset)), offset);
                if (n == 0) break; // the file shrank under us: the client sees a short body and a closed connection
                await response.Body.WriteAsync(buffer.AsMemory(0, n), ctx.RequestAborted);
                offset += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task NotFoundAsync(HttpContext ctx, string kind, string reason)
    {
        BootMetrics.Count(kind, "not_found");
        Log.Refused(log, ctx.Request.Method, ctx.Request.Path, Client(ctx), reason);
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        if (!HttpMethods.IsHead(ctx.Request.Method)) await ctx.Response.WriteAsync("not found\n", ctx.RequestAborted);
    }

    private string ApiUrl(HttpContext ctx)
    {
        if (options.ApiUrl is { Length: > 0 } configured) return configured.TrimEnd('/');
        var local = ctx.Connection.LocalIpAddress ?? IPAddress.Loopback;
        if (local.IsIPv4MappedToIPv6) local = local.MapToIPv4();
        var host = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return $"http://{host}:{options.ApiPort}";
    }

    private static string Client(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString() ?? "?";

    private static string Outcome(BootAction action) => action switch
    {
        BootAction.DeployRamdisk => "deploy_ramdisk",
        BootAction.DiscoveryRamdisk => "discovery_ramdisk",
        BootAction.LocalDisk => "local_disk",
        BootAction.Exit => "exit",
        _ => "error",
    };
}

public static class HttpBootExtensions
{
    /// <summary>True when the request arrived on the boot listener.</summary>
    public static bool IsBootListener(HttpContext ctx, IPEndPoint listen)
    {
        if (ctx.Connection.LocalPort != listen.Port) return false;
        if (listen.Address.Equals(IPAddress.Any) || listen.Address.Equals(IPAddress.IPv6Any)) return true;
        var local = ctx.Connection.LocalIpAddress;
        if (local is null) return false;
        if (local.IsIPv4MappedToIPv6) local = local.MapToIPv4();
        return local.Equals(listen.Address);
    }

    /// <summary>
    /// Sends every request that arrived on the boot listener to the boot server, before any API middleware; call
    /// first in the pipeline. Does nothing when HTTP boot is off.
    /// </summary>
    public static WebApplication UseHttpBoot(this WebApplication app)
    {
        var server = app.Services.GetRequiredService<HttpBootServer>();
        if (server.Options.Listen is not { } listen) return app;
        app.MapWhen(ctx => IsBootListener(ctx, listen), boot => boot.Run(server.HandleAsync));
        return app;
    }
}
