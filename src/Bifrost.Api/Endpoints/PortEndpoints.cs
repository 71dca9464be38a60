using Bifrost.Api.Errors;
using Bifrost.Api.Json;
using Bifrost.Api.Requests;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bifrost.Api.Endpoints;

/// <summary>Ports: list, detail, show, create, patch, delete; and a node's ports.</summary>
public static class PortEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ports = app.MapGroup("/v1/ports");
        ports.MapGet("", (HttpContext c, Conductor k, ApiOptions o) =>
            Http.GatedList(c, () => List(c, k, o, detail: false, nodeIdent: null)));
        ports.MapGet("/detail", (HttpContext c, Conductor k, ApiOptions o) =>
            Http.GatedList(c, () => List(c, k, o, detail: true, nodeIdent: null)));
        ports.MapPost("", Create);
        ports.MapGet("/{uuid}", Show);
        ports.MapPatch("/{uuid}", Patch);
        ports.MapDelete("/{uuid}", Delete);

        // Ironic 21.4 answers 404 for a node named by name here; Bifrost resolves names like everywhere else.
        app.MapGet("/v1/nodes/{ident}/ports", (HttpContext c, Conductor k, ApiOptions o, string ident) =>
            List(c, k, o, detail: false, nodeIdent: ident));
        app.MapGet("/v1/nodes/{ident}/ports/detail", (HttpContext c, Conductor k, ApiOptions o, string ident) =>
            List(c, k, o, detail: true, nodeIdent: ident));
    }

    private static async Task<IResult> List(
        HttpContext context, Conductor conductor, ApiOptions options, bool detail, string? nodeIdent)
    {
        Guid? nodeUuid = null;
        nodeIdent ??= Http.Query(context, "node");
        if (nodeIdent is not null) nodeUuid = (await NodeEndpoints.Resolve(context, conductor, nodeIdent)).Uuid;
        if (Http.Query(context, "node_uuid") is { } raw)
            nodeUuid = Guid.TryParse(raw, out var g) ? g : throw ApiException.BadRequest($"Expected UUID for node_uuid: {raw}");
        string? address = null;
        if (Http.Query(context, "address") is { } rawMac)
            address = Identifiers.TryNormalizeMac(rawMac, out var mac)
                ? mac
                : throw ApiException.BadRequest($"Expected valid MAC address for address: {rawMac}");
        var fields = ParseFields(context);
        if (Http.QueryBool(context, "detail") == true) detail = true;

        var limit = Http.Limit(context, options.MaxLimit);
        var ports = await conductor.Store.ListPortsAsync(new PortQuery
        {
            NodeUuid = nodeUuid,
            Address = address,
            Limit = limit,
            Marker = Http.Marker(context),
            SortDir = NodeEndpoints.SortDir(context),
        }, context.RequestAborted);

        var baseUrl = Http.BaseUrl(context.Request);
        IReadOnlyCollection<string>? only = detail ? null : (IReadOnlyCollection<string>?)fields ?? PortJson.ListView;
        var next = ports.Count == limit && limit > 0
            ? $"{baseUrl}/v1/ports{(detail ? "/detail" : "")}?limit={limit}&marker={ports[^1].Uuid}"
            : null;
        return Http.Collection("ports", ports, (w, p) => PortJson.Write(w, p, baseUrl, only), next);
    }

    private static async Task<IResult> Show(HttpContext context, Conductor conductor, string uuid)
    {
        var fields = ParseFields(context);
        var port = await Get(context, conductor, uuid);
        var baseUrl = Http.BaseUrl(context.Request);
        return Http.Json(200, w => PortJson.Write(w, port, baseUrl, fields));
    }

    private static async Task<IResult> Create(HttpContext context, Conductor conductor)
    {
        var body = await Http.ReadJsonAsync(context.Request, context.RequestAborted);
        var (port, nodeUuid) = PortFields.ParseCreate(body);
        // An unknown node is a 400 here, not a 404: the request body is what is wrong.
        if (await conductor.Store.GetNodeAsync(nodeUuid, context.RequestAborted) is null)
            throw ApiException.BadRequest($"Node {nodeUuid} could not be found.");
        if (port.Uuid == Guid.Empty) port.Uuid = Guid.NewGuid();
        port.CreatedAt = conductor.Time.GetUtcNow();
        await conductor.Store.CreatePortAsync(port, context.RequestAborted);
        var stored = await conductor.Store.GetPortAsync(port.Uuid, context.RequestAborted) ?? port;
        var baseUrl = Http.BaseUrl(context.Request);
        return Http.Json(201, w => PortJson.Write(w, stored, baseUrl), $"{baseUrl}/v1/ports/{stored.Uuid}");
    }

    private static async Task<IResult> Patch(HttpContext context, Conductor conductor, string uuid)
    {
        var ops = JsonPatch.Parse(await Http.ReadJsonAsync(context.Request, context.RequestAborted));
        var port = await Get(context, conductor, uuid);
        PortFields.ApplyPatch(port, ops);
        if (await conductor.Store.GetNodeAsync(port.NodeUuid, context.RequestAborted) is null)
            throw ApiException.BadRequest($"Node {port.NodeUuid} could not be found.");
        await conductor.Store.SavePortAsync(port, context.RequestAborted);
        var stored = await Get(context, conductor, uuid);
        var baseUrl = Http.BaseUrl(context.Request);
        return Http.Json(200, w => PortJson.Write(w, stored, baseUrl));
    }

    private static async Task<IResult> Delete(HttpContext context, Conductor conductor, string uuid)
    {
        var port = await Get(context, conductor, uuid);
        await conductor.Store.DeletePortAsync(port.Uuid, context.RequestAborted);
        return Http.NoContent();
    }

    private static async Task<Port> Get(HttpContext context, Conductor conductor, string uuid)
    {
        Port? port = null;
        if (Guid.TryParse(uuid, out var g)) port = await conductor.Store.GetPortAsync(g, context.RequestAborted);
        return port ?? throw new PortNotFoundException(uuid);
    }

    private static HashSet<string>? ParseFields(HttpContext context) =>
        Http.FieldList(context, PortJson.AllFields.Contains);
}
