using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bifrost.Api.Metrics;

/// <summary>
/// Counts every API request by method, route template and status, and times it (meter <c>Bifrost.Api</c>). The route
/// is the template (<c>/v1/nodes/{ident}</c>), never the raw path, so node names cannot blow up the label space;
/// requests that matched no route are <c>unmatched</c>.
/// </summary>
public sealed class ApiMetrics(RequestDelegate next)
{
    private static readonly Meter Meter = new("Bifrost.Api");

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "bifrost_api_requests", unit: null, description: "API requests, by method, route template and status code.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "bifrost_api_request_duration_seconds", unit: "s", description: "API request latency in seconds, by method and route template.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <remarks>
    /// Counted and timed when the response starts, not when the pipeline returns: a client that has read its answer
    /// must find it counted in the next scrape (Kestrel can flush a small body before this middleware's code after
    /// <c>next</c> runs). The duration is therefore the time to the response's start. A request that fails before
    /// any response started is counted as 500 when the exception passes here.
    /// </remarks>
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var counted = 0;
        void Count(int status)
        {
            if (Interlocked.Exchange(ref counted, 1) == 1) return;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            var method = new KeyValuePair<string, object?>("method", context.Request.Method);
            var template = new KeyValuePair<string, object?>("route", route);
            Requests.Add(1, method, template, new KeyValuePair<string, object?>("status", status));
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, method, template);
        }

        context.Response.OnStarting(() =>
        {
            Count(context.Response.StatusCode);
            return Task.CompletedTask;
        });
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            // Nothing started (no body, or an exception): count now.
            Count(failed ? 500 : context.Response.StatusCode);
        }
    }
}
