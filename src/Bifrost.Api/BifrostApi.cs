using Bifrost.Api.Auth;
using Bifrost.Api.Endpoints;
using Bifrost.Api.Errors;
using Bifrost.Api.Metrics;
using Bifrost.Api.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Bifrost.Api;

/// <summary>Wires the Ironic-compatible API into a web application.</summary>
public static class BifrostApi
{
    public static WebApplication UseBifrostApi(this WebApplication app)
    {
        // Outermost, so it counts what the client finally got (error bodies and routing failures included).
        app.UseMiddleware<ApiMetrics>();
        app.UseMiddleware<ErrorMiddleware>();
        app.UseApiAuth();
        app.UseMiddleware<VersionMiddleware>();
        app.UseStatusCodePages(async ctx =>
        {
            // Routing-level errors (unknown path, wrong method) get Ironic's title/description body.
            var response = ctx.HttpContext.Response;
            if (response.ContentLength is > 0 || response.ContentType is not null) return;
            var (title, description) = response.StatusCode switch
            {
                404 => ("Not Found", "The resource could not be found."),
                405 => ("Method Not Allowed", "The method specified is not allowed for this resource."),
                _ => (null, null),
            };
            if (title is null) return;
            await ErrorWriter.WriteRoutingErrorAsync(ctx.HttpContext, response.StatusCode, title, description!);
        });

        // Explicit, so the error and version middleware above also cover routing failures.
        app.UseRouting();

        RootEndpoints.Map(app);
        NodeEndpoints.Map(app);
        NodeStateEndpoints.Map(app);
        HistoryEndpoints.Map(app);
        PortEndpoints.Map(app);
        TimelineEndpoints.Map(app);
        // /v1/lookup, /v1/heartbeat, /v1/agent: exempt from basic auth (AuthRoutes.IsAgent), guarded by the agent token.
        AgentEndpoints.Map(app);
        InventoryEndpoints.Map(app);
        // /metrics, /healthz, /readyz: unauthenticated by rule (ObservabilityEndpoints.UnauthenticatedPaths).
        ObservabilityEndpoints.Map(app);
        return app;
    }
}
