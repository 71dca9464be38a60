using Bifrost.Api.Errors;
using Microsoft.AspNetCore.Http;

namespace Bifrost.Api.Versioning;

/// <summary>
/// Negotiates the microversion of every /v1 request as Ironic does: no header → 1.1, "latest" → max, outside the
/// range → 406 with min/max headers, garbage → 406 without them. Every /v1 answer carries the three headers.
/// </summary>
public sealed class VersionMiddleware(RequestDelegate next)
{
    private const string ItemKey = "bifrost.api-version";
    private static readonly string MinText = ApiVersion.Min.ToString();
    private static readonly string MaxText = ApiVersion.Max.ToString();

    public static ApiVersion Of(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var v) && v is ApiVersion version ? version : ApiVersion.Min;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers[ApiVersion.Header].ToString();
        ApiVersion version;
        if (header.Length == 0) version = ApiVersion.Min;
        else if (header.Equals("latest", StringComparison.OrdinalIgnoreCase)) version = ApiVersion.Max;
        else if (!ApiVersion.TryParse(header, out version))
        {
            await ErrorWriter.WriteRoutingErrorAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable",
                $"Invalid value for {ApiVersion.Header} header");
            return;
        }

        AddRangeHeaders(context.Response);
        if (version < ApiVersion.Min || version > ApiVersion.Max)
        {
            await ErrorWriter.WriteRoutingErrorAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable",
                $"Version {version} was requested but the minor version is not supported by this service. " +
                $"The supported version range is: [{MinText}, {MaxText}].");
            return;
        }

        context.Items[ItemKey] = version;
        var requestId = "req-" + Guid.NewGuid();
        // Set when the answer starts, not now: ErrorMiddleware clears the response (headers too) before it writes
        // an error body, and Ironic's errors carry these headers like any other answer.
        context.Response.OnStarting(() =>
        {
            AddRangeHeaders(context.Response);
            context.Response.Headers[ApiVersion.Header] = version.ToString();
            context.Response.Headers["Openstack-Request-Id"] = requestId;
            return Task.CompletedTask;
        });
        await next(context);
    }

    public static void AddRangeHeaders(HttpResponse response)
    {
        response.Headers[ApiVersion.MinHeader] = MinText;
        response.Headers[ApiVersion.MaxHeader] = MaxText;
    }
}
