using System.Buffers;
using System.Text;
using System.Text.Json;
using Bifrost.Api.Errors;
using Bifrost.Api.Json;
using Bifrost.Domain.Agent;
using Bifrost.Domain.Conductor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Bifrost.Api.Json.JsonOut;

namespace Bifrost.Api.Endpoints;

/// <summary>
/// The deploy agent's side of the API (docs/agent-protocol.md): lookup, heartbeat and the config drive. Exempt from
/// basic auth (<see cref="Auth.AuthRoutes.IsAgent"/>): each checks the node's agent token itself (in the conductor).
/// </summary>
public static class AgentEndpoints
{
    /// <summary>Ironic serves lookup from 1.22; below it the resource does not exist.</summary>
    private static readonly Versioning.ApiVersion LookupSince = new(1, 22);

    public const string TokenHeader = "X-Agent-Token";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/lookup", Lookup);
        app.MapPost("/v1/heartbeat/{ident}", Heartbeat);
        app.MapGet("/v1/agent/{uuid}/configdrive", ConfigDriveFile);
    }

    private static async Task<IResult> Lookup(HttpContext context, Conductor conductor)
    {
        if (Http.Version(context) < LookupSince) throw new ApiException(404, "The resource could not be found.");
        var addresses = (Http.Query(context, "addresses") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var uuidText = Http.Query(context, "node_uuid");
        Guid? uuid = null;
        if (uuidText is not null)
            uuid = Guid.TryParse(uuidText, out var u) ? u : throw ApiException.BadRequest($"Expected a UUID but received {uuidText}.");
        if (addresses.Length == 0 && uuid is null)
        {
            AgentMetrics.Lookup("bad_request");
            throw ApiException.BadRequest("Either node_uuid or addresses must be provided.");
        }

        var found = await conductor.LookupAsync(addresses, uuid, Client(context), context.RequestAborted);
        var node = found.Node;
        var baseUrl = Http.BaseUrl(context.Request);
        var nodeJson = Serialize(w =>
        {
            w.WriteStartObject();
            w.WriteString("uuid", node.Uuid.ToString());
            WriteObject(w, "properties", node.Properties);
            WriteObject(w, "instance_info", Secrets.InstanceInfo(node.InstanceInfo));
            WriteObject(w, "driver_internal_info", Secrets.DriverInternalInfo(node.DriverInternalInfo));
            WriteLinks(w, "links", baseUrl, $"nodes/{node.Uuid}");
            w.WriteEndObject();
        });
        var interval = (int)Math.Max(1, found.Options.HeartbeatInterval.TotalSeconds);
        // Written by hand: the agent (ash + sed) finds agent_token and heartbeat_interval with exactly one space
        // after the colon (docs/agent-protocol.md §1); the token is base64url or "******", nothing to escape.
        var body = $"{{\"node\": {nodeJson}, \"config\": {{\"heartbeat_timeout\": 300, \"agent_token\": \"{found.Token}\", " +
                   $"\"agent_token_required\": true, \"bifrost\": {{\"heartbeat_interval\": {interval}}}}}}}";
        return Results.Text(body, "application/json", Encoding.UTF8, 200);
    }

    private static async Task<IResult> Heartbeat(HttpContext context, Conductor conductor, string ident)
    {
        System.Text.Json.Nodes.JsonNode? body;
        try
        {
            body = await Http.ReadJsonAsync(context.Request, context.RequestAborted);
        }
        catch (ApiException)
        {
            AgentMetrics.Heartbeat("malformed");
            throw;
        }
        if (!HeartbeatReport.TryRead(body, out var report, out var error))
        {
            AgentMetrics.Heartbeat("malformed");
            throw ApiException.BadRequest(error!);
        }
        var options = context.RequestServices.GetService<AgentOptions>() ?? new AgentOptions();
        var local = context.Connection.LocalIpAddress is { } l && l.IsIPv4MappedToIPv6 ? l.MapToIPv4() : context.Connection.LocalIpAddress;
        var host = local is null ? context.Request.Host.Host
            : local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        var endpoint = new AgentEndpoint(
            options.ImageServerUrl ?? $"http://{host}:{options.ImageServerPort ?? 8080}",
            Http.BaseUrl(context.Request));
        var command = await conductor.HeartbeatAsync(ident, report!, endpoint, Client(context), context.RequestAborted);
        if (!report!.IsBifrostAgent) return Http.Accepted();
        // Encoding was checked when the command was issued; a failure here is a bug, shown as a 500.
        if (!command.TryEncode(out var text, out var encodeError))
            throw new InvalidOperationException($"agent command cannot be encoded: {encodeError}");
        return Results.Text(text, "text/plain", Encoding.UTF8, 202);
    }

    private static async Task<IResult> ConfigDriveFile(HttpContext context, Conductor conductor, string uuid)
    {
        if (!Guid.TryParse(uuid, out var id)) throw new ApiException(404, "Resource could not be found.");
        var token = context.Request.Headers[TokenHeader].ToString();
        var drive = await conductor.GetConfigDriveAsync(id, token.Length > 0 ? token : null, Client(context), context.RequestAborted);
        return Results.Bytes(drive.Bytes, drive.Format == ConfigDriveContent.Tar ? "application/x-tar" : "application/octet-stream");
    }

    private static string Client(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        if (ip is { IsIPv4MappedToIPv6: true }) ip = ip.MapToIPv4();
        return ip?.ToString() ?? "unknown";
    }

    private static string Serialize(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
