using Bifrost.Domain.Images;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Timeline;
using Bifrost.Servers.HttpBoot;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Images;

/// <summary>
/// The image paths of the HTTP boot server that are not plain files: <c>/images/.raw/&lt;file&gt;</c>, a qcow2 image
/// streamed as its raw view (Content-Length = virtual size, HEAD, no Range: the agent reads it once, front to back),
/// and everything under <c>/images/.cache/</c> that is not a finished download (sidecars, partial downloads), which
/// is refused. Finished downloads fall through to the boot server's file route (Range, ETag, sendfile).
/// </summary>
public static class ImageRoutes
{
    private const string CachePrefix = "/images/" + ImageCache.DirName + "/";

    /// <summary>True for the paths <see cref="HandleAsync"/> answers.</summary>
    public static bool Owns(string path) =>
        path.StartsWith(ImageService.RawViewPrefix, StringComparison.Ordinal)
        || (path.StartsWith(CachePrefix, StringComparison.Ordinal) && !ImageCache.IsCacheFileName(path[CachePrefix.Length..]));

    public static async Task HandleAsync(HttpContext ctx, string imagesDir, BootTimeline timeline, ILogger log)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var client = ctx.Connection.RemoteIpAddress;
        if (client is { IsIPv4MappedToIPv6: true }) client = client.MapToIPv4();
        var clientText = client?.ToString() ?? "?";
        if (!path.StartsWith(ImageService.RawViewPrefix, StringComparison.Ordinal))
        {
            await NotFoundAsync(ctx, clientText, log, "Bifrost's own cache file, not servable");
            return;
        }

        var real = SafePath.ResolveFile(imagesDir, path[ImageService.RawViewPrefix.Length..]);
        if (real is null)
        {
            await NotFoundAsync(ctx, clientText, log, "missing, not a file, or outside the image directory");
            return;
        }
        Qcow2RawView view;
        try
        {
            view = Qcow2RawView.Open(real, path);
        }
        catch (Exception e) when (e is ImageException or IOException or UnauthorizedAccessException)
        {
            await NotFoundAsync(ctx, clientText, log, e.Message);
            return;
        }

        using (view)
        {
            var response = ctx.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/octet-stream";
            response.ContentLength = view.Length;
            response.Headers.AcceptRanges = "none";
            response.Headers.CacheControl = "no-store";
            if (HttpMethods.IsHead(ctx.Request.Method))
            {
                BootMetrics.Count("images", "ok");
                Log.Served(log, ctx.Request.Method, path, clientText, 200, 0);
                return;
            }
            try
            {
                await view.CopyToAsync(response.Body, ctx.RequestAborted);
            }
            catch (ImageException e)
            {
                // Headers (and a Content-Length) are gone: cut the connection so the agent sees a short body.
                Log.ServeFailed(log, ctx.Request.Method, path, clientText, e.Message);
                BootMetrics.Count("images", "error");
                ctx.Abort();
                return;
            }
            BootMetrics.Count("images", "ok");
            BootMetrics.CountBytes("images", view.Length);
            Log.Served(log, ctx.Request.Method, path, clientText, 200, view.Length);
            if (client is not null)
                timeline.TryRecord(client, HistoryEventType.Boot, $"image fetched: GET {path} → 200 ({view.Length} bytes, qcow2 raw view)");
        }
    }

    private static async Task NotFoundAsync(HttpContext ctx, string client, ILogger log, string reason)
    {
        BootMetrics.Count("images", "not_found");
        Log.ServeFailed(log, ctx.Request.Method, ctx.Request.Path.Value ?? "", client, reason);
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        if (!HttpMethods.IsHead(ctx.Request.Method)) await ctx.Response.WriteAsync("not found\n", ctx.RequestAborted);
    }
}
