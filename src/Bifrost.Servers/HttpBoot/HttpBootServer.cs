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
public sealed class HttpBootServer(HttpBootOptions options, INodeStore store, BootTimeline timeline, BootFiles files, ILogger<HttpBootServer> log)
{
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
        else if (files.Route(path) is var (kind, dir, relative))
            await FileAsync(ctx, kind, dir, relative);
        else
            await NotFoundAsync(ctx, "other", "no such boot path");
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
        var real = files.Resolve(dir, relative);
        if (real is null)
        {
            await NotFoundAsync(ctx, kind, "missing, not a file, or outside its directory");
            return;
        }

        var file = new BootFile(kind, real);
        var info = new FileInfo(real);
        var etag = new EntityTagHeaderValue(BootFile.ETag(info));
        // Plain whole-file GETs normally never get here: SendfileConnections answers them with sendfile before Kestrel
        // parses them. They still do when that path is not installed (a test host) or could not open the file.
        // PhysicalFileResult implements HEAD, Range, If-Range, If-None-Match and If-Modified-Since; we write no range code.
        if (IsPlainGet(ctx.Request))
        {
            await StreamWholeFileAsync(ctx, info, file.ContentType, etag);
        }
        else
        {
            var result = Results.File(real, file.ContentType, fileDownloadName: null, lastModified: info.LastWriteTimeUtc,
                entityTag: etag, enableRangeProcessing: true);
            await result.ExecuteAsync(ctx);
        }

        var status = ctx.Response.StatusCode;
        var outcome = status switch
        {
            StatusCodes.Status200OK => "ok",
            StatusCodes.Status206PartialContent => "partial",
            StatusCodes.Status304NotModified => "not_modified",
            StatusCodes.Status416RangeNotSatisfiable => "bad_range",
            _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var sent = HttpMethods.IsGet(ctx.Request.Method) ? ctx.Response.ContentLength : null;
        files.Record(kind, ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Connection.RemoteIpAddress, status, outcome, sent, info.Length);
    }

    /// <summary>A GET of the whole file with no validators: nothing for ASP.NET's file result to decide.</summary>
    private static bool IsPlainGet(HttpRequest request)
    {
        var h = request.Headers;
        return HttpMethods.IsGet(request.Method) && h.Range.Count == 0 && h.IfNoneMatch.Count == 0 && h.IfModifiedSince.Count == 0
               && h.IfMatch.Count == 0 && h.IfUnmodifiedSince.Count == 0 && h.IfRange.Count == 0;
    }

    /// <summary>
    /// Bytes read per step. A quarter of Kestrel's 1 MiB response buffer (MaxResponseBufferSize, ServeCommand): while
    /// the socket sends earlier chunks the next read already runs, where 1 MiB chunks made read and send take turns.
    /// </summary>
    private const int StreamChunk = 256 * 1024;

    /// <summary>
    /// Whole-file download (the agent streaming an image, iPXE fetching a ramdisk): synchronous reads from the page
    /// cache straight into the memory of Kestrel's response pipe (<see cref="System.IO.Pipelines.PipeWriter.GetMemory"/>), so each byte is
    /// copied once in user space; Kestrel sends the pipe's segments with one sendmsg each. ASP.NET's file result copies
    /// 64 KiB async reads through a stream (a third of nginx's rate in bench/http); Range and conditional requests
    /// still go through it. There is no sendfile path: Kestrel counts the body bytes it wrote itself.
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
        var writer = response.BodyWriter;
        long offset = 0;
        while (offset < length)
        {
            var memory = writer.GetMemory(StreamChunk);
            var want = (int)Math.Min(Math.Min(memory.Length, StreamChunk), length - offset);
            var n = RandomAccess.Read(handle, memory.Span[..want], offset);
            if (n == 0) break; // the file shrank under us: the client sees a short body and a closed connection
            writer.Advance(n);
            offset += n;
            var flushed = await writer.FlushAsync(ctx.RequestAborted);
            if (flushed.IsCompleted || flushed.IsCanceled) break; // the client went away
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
