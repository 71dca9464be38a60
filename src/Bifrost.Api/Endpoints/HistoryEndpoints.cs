using System.Text.Json;
using Bifrost.Api.Errors;
using Bifrost.Api.Versioning;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static Bifrost.Api.Json.JsonOut;

namespace Bifrost.Api.Endpoints;

/// <summary>A node's history (API 1.78): GET /v1/nodes/{n}/history[/{event}].</summary>
public static class HistoryEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/nodes/{ident}/history", (HttpContext c, Conductor k, ApiOptions o, string ident) =>
            List(c, k, o, ident, detail: false));
        // `baremetal node history list --long` asks for this; Ironic 21.4 answers 404 here, Bifrost serves it.
        app.MapGet("/v1/nodes/{ident}/history/detail", (HttpContext c, Conductor k, ApiOptions o, string ident) =>
            List(c, k, o, ident, detail: true));
        app.MapGet("/v1/nodes/{ident}/history/{eventUuid}", Show);
    }

    private static async Task<IResult> List(
        HttpContext context, Conductor conductor, ApiOptions options, string ident, bool detail)
    {
        RequireHistory(context);
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        detail |= Http.QueryBool(context, "detail") ?? false;
        var limit = Http.Limit(context, options.MaxLimit);
        var events = await conductor.Store.ListHistoryAsync(node.Uuid, limit, Http.Marker(context), context.RequestAborted);
        var baseUrl = Http.BaseUrl(context.Request);
        var next = events.Count == limit && limit > 0
            ? $"{baseUrl}/v1/nodes/{node.Uuid}/history?limit={limit}&marker={events[^1].Uuid}"
            : null;
        return Http.Collection("history", events, (w, e) => Write(w, e, baseUrl, detail), next);
    }

    private static async Task<IResult> Show(HttpContext context, Conductor conductor, string ident, string eventUuid)
    {
        RequireHistory(context);
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        var all = await conductor.Store.ListHistoryAsync(node.Uuid, null, null, context.RequestAborted);
        var entry = all.FirstOrDefault(e => e.Uuid.ToString() == eventUuid)
                    ?? throw new ApiException(404, $"Node history record {eventUuid} could not be found.");
        var baseUrl = Http.BaseUrl(context.Request);
        return Http.Json(200, w => Write(w, entry, baseUrl, detail: true));
    }

    private static void RequireHistory(HttpContext context)
    {
        if (Http.Version(context) < ApiVersion.History) throw new ApiException(404, "The resource could not be found.");
    }

    private static void Write(Utf8JsonWriter w, NodeHistoryEvent e, string baseUrl, bool detail)
    {
        w.WriteStartObject();
        w.WriteString("uuid", e.Uuid.ToString());
        w.WriteString("created_at", Timestamp(e.CreatedAt));
        w.WriteString("severity", e.Severity);
        w.WriteString("event", e.Event);
        if (detail)
        {
            w.WriteString("event_type", e.EventType);
            w.WriteString("conductor", e.Conductor);
            WriteStringOrNull(w, "user", e.User);
        }
        WriteLinks(w, "links", baseUrl, $"nodes/{e.NodeUuid}/history/{e.Uuid}");
        w.WriteEndObject();
    }
}
