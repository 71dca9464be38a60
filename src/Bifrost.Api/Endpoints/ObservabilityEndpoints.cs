using System.Text;
using Bifrost.Api.Metrics;
using Bifrost.Domain.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bifrost.Api.Endpoints;

/// <summary>
/// GET /metrics (Prometheus text format), /healthz (the process is alive: no I/O) and /readyz (store reachable,
/// listeners bound, every registered <see cref="IReadinessCheck"/> ready; 503 naming what is not).
/// </summary>
public static class ObservabilityEndpoints
{
    /// <summary>
    /// AUTHENTICATION RULE: these paths are served without credentials, whatever Bifrost:Api auth mode is set — a
    /// Prometheus scraper and a load balancer's probe carry none, and the answers reveal no node data or secret
    /// (counts and state names only). API authentication must exempt exactly these paths.
    /// </summary>
    public static readonly IReadOnlyList<string> UnauthenticatedPaths = ["/metrics", "/healthz", "/readyz"];

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(2);

    public static void Map(WebApplication app)
    {
        var exporter = new PrometheusExporter(scope: app);
        var gauges = new NodeStateGauges(app.Services.GetRequiredService<INodeStore>(),
            app.Services.GetRequiredService<TimeProvider>(), scope: app);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            gauges.Dispose();
            exporter.Dispose();
        });

        // Unauthenticated on purpose: see UnauthenticatedPaths.
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            try
            {
                await gauges.RefreshAsync(context.RequestAborted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A store that cannot count must not hide every other metric; /readyz reports the store.
            }
            return Results.Text(exporter.Collect(), PrometheusText.ContentType, Encoding.UTF8);
        });
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain; charset=utf-8", Encoding.UTF8));
        app.MapGet("/readyz", Ready);
    }

    private static async Task<IResult> Ready(HttpContext context, INodeStore store, IHostApplicationLifetime lifetime)
    {
        var problems = new List<string>();
        if (!lifetime.ApplicationStarted.IsCancellationRequested) problems.Add("api: listeners not bound yet");
        if (lifetime.ApplicationStopping.IsCancellationRequested) problems.Add("api: shutting down");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            await store.CountNodesAsync(timeout.Token);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            problems.Add(e is OperationCanceledException
                ? $"store: no answer within {ReadyTimeout.TotalSeconds:0} s"
                : $"store: {e.Message}");
        }
        foreach (var check in context.RequestServices.GetServices<IReadinessCheck>())
        {
            string? reason;
            try
            {
                reason = await check.CheckAsync(timeout.Token);
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                reason = e.Message;
            }
            if (reason is not null) problems.Add($"{check.Name}: {reason}");
        }
        return problems.Count == 0
            ? Results.Text("ready\n", "text/plain; charset=utf-8", Encoding.UTF8)
            : Results.Text("not ready: " + string.Join("; ", problems) + "\n", "text/plain; charset=utf-8", Encoding.UTF8,
                StatusCodes.Status503ServiceUnavailable);
    }
}
