using System.Text.Json;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Timeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static Bifrost.Api.Json.JsonOut;

namespace Bifrost.Api.Endpoints;

/// <summary>
/// GET /v1/nodes/{n}/timeline — Bifrost's own "why is it stuck?" view, not part of Ironic's API: the node's state,
/// what Bifrost is waiting for (with the deadline and the option that sets it), the last boot hop seen (newest
/// dhcp/tftp/boot/bmc event) and the whole history, oldest first. Ironic's /history keeps its exact shape.
/// </summary>
public static class TimelineEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/v1/nodes/{ident}/timeline", Timeline);

    private static async Task<IResult> Timeline(HttpContext context, Conductor conductor, string ident)
    {
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        var events = await conductor.Store.ListHistoryAsync(node.Uuid, null, null, context.RequestAborted);
        var now = conductor.Time.GetUtcNow();
        var waiting = WaitReason.For(node, conductor.Options, now);
        var lastHop = events.LastOrDefault(e => WaitReason.HopTypes.Contains(e.EventType));
        return Http.Json(200, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("node");
            w.WriteStartObject();
            w.WriteString("uuid", node.Uuid.ToString());
            WriteStringOrNull(w, "name", node.Name);
            w.WriteString("provision_state", node.ProvisionState.ToWire());
            WriteStringOrNull(w, "target_provision_state", node.TargetProvisionState?.ToWire());
            WriteStringOrNull(w, "power_state", node.PowerState);
            WriteStringOrNull(w, "target_power_state", node.TargetPowerState);
            WriteTimestamp(w, "provision_updated_at", node.ProvisionUpdatedAt);
            w.WriteBoolean("maintenance", node.Maintenance);
            WriteStringOrNull(w, "reservation", node.Reservation);
            WriteStringOrNull(w, "last_error", node.LastError);
            w.WriteEndObject();

            w.WritePropertyName("waiting");
            if (waiting is null) w.WriteNullValue();
            else
            {
                w.WriteStartObject();
                w.WriteString("state", waiting.State);
                w.WriteString("for", waiting.WaitingFor);
                WriteTimestamp(w, "since", waiting.Since);
                WriteStringOrNull(w, "timeout_option", waiting.TimeoutOption);
                WriteTimestamp(w, "deadline", waiting.Deadline);
                if (waiting.Deadline is { } d) w.WriteNumber("remaining_seconds", (long)Math.Floor((d - now).TotalSeconds));
                else w.WriteNull("remaining_seconds");
                w.WriteString("message", waiting.Message);
                w.WriteEndObject();
            }

            w.WritePropertyName("last_hop");
            if (lastHop is null) w.WriteNullValue();
            else WriteEvent(w, lastHop);

            w.WritePropertyName("events");
            w.WriteStartArray();
            foreach (var e in events) WriteEvent(w, e);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteEvent(Utf8JsonWriter w, NodeHistoryEvent e)
    {
        w.WriteStartObject();
        w.WriteString("uuid", e.Uuid.ToString());
        w.WriteString("created_at", Timestamp(e.CreatedAt));
        w.WriteString("severity", e.Severity);
        w.WriteString("event_type", e.EventType);
        w.WriteString("event", e.Event);
        w.WriteString("conductor", e.Conductor);
        WriteStringOrNull(w, "user", e.User);
        w.WriteEndObject();
    }
}
