using System.Text.Json;
using Bifrost.Api.Errors;
using Bifrost.Api.Json;
using Bifrost.Api.Requests;
using Bifrost.Api.Versioning;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bifrost.Api.Endpoints;

/// <summary>Node CRUD: list, detail, show, create, patch, delete.</summary>
public static class NodeEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var nodes = app.MapGroup("/v1/nodes");
        nodes.MapGet("", (HttpContext c, Conductor k, ApiOptions o) => Http.GatedList(c, () => List(c, k, o, detail: false)));
        nodes.MapGet("/detail", (HttpContext c, Conductor k, ApiOptions o) => Http.GatedList(c, () => List(c, k, o, detail: true)));
        nodes.MapPost("", Create);
        nodes.MapGet("/{ident}", Show);
        nodes.MapPatch("/{ident}", Patch);
        nodes.MapDelete("/{ident}", Delete);
    }

    /// <summary>Finds a node by UUID, or by name from 1.5 on.</summary>
    internal static Task<Node> Resolve(HttpContext context, Conductor conductor, string ident) =>
        conductor.GetNodeAsync(ident, Http.Version(context) >= ApiVersion.Names, context.RequestAborted);

    internal static NodeJson.NodeContext JsonContext(HttpContext context, Conductor conductor) =>
        new(Http.Version(context), Http.BaseUrl(context.Request), conductor.Options.Host);

    private static async Task<IResult> List(HttpContext context, Conductor conductor, ApiOptions options, bool detail)
    {
        var version = Http.Version(context);
        var fields = ParseFields(context, version);
        if (detail && fields is not null)
            throw ApiException.BadRequest("Can not specify ?detail=True and fields in the same request.");
        if (!detail && Http.QueryBool(context, "detail") == true)
        {
            if (fields is not null) throw ApiException.BadRequest("Can not specify ?detail=True and fields in the same request.");
            detail = true;
        }

        var limit = Http.Limit(context, options.MaxLimit);
        var query = new NodeQuery
        {
            ProvisionStates = ProvisionStateFilter(context, version),
            Maintenance = Http.QueryBool(context, "maintenance"),
            Driver = Filter(context, "driver", ApiVersion.DriverFilter),
            ResourceClass = Http.Query(context, "resource_class"),
            Fault = Http.Query(context, "fault"),
            Limit = limit,
            Marker = Http.Marker(context),
            SortKey = SortKey(context),
            SortDir = SortDir(context),
        };
        var nodes = await conductor.Store.ListNodesAsync(query, context.RequestAborted);

        var json = JsonContext(context, conductor);
        IReadOnlyCollection<string>? only = detail ? null : (IReadOnlyCollection<string>?)fields ?? NodeJson.ListView;
        var next = nodes.Count == limit && limit > 0 ? NextLink(context, detail, fields, limit, nodes[^1].Uuid) : null;
        return Http.Collection("nodes", nodes, (w, node) => NodeJson.Write(w, node, json, only), next);
    }

    private static async Task<IResult> Show(HttpContext context, Conductor conductor, string ident)
    {
        var fields = ParseFields(context, Http.Version(context));
        var node = await Resolve(context, conductor, ident);
        var json = JsonContext(context, conductor);
        return Http.Json(200, w => NodeJson.Write(w, node, json, fields));
    }

    private static async Task<IResult> Create(HttpContext context, Conductor conductor)
    {
        var version = Http.Version(context);
        var body = await Http.ReadJsonAsync(context.Request, context.RequestAborted);
        var draft = NodeFields.ParseCreate(body, version);
        var initial = version >= ApiVersion.EnrollState ? ProvisionState.Enroll : ProvisionState.Available;
        var node = await conductor.CreateNodeAsync(draft, initial, context.RequestAborted);
        var json = JsonContext(context, conductor);
        return Http.Json(201, w => NodeJson.Write(w, node, json), $"{json.BaseUrl}/v1/nodes/{node.Uuid}");
    }

    private static async Task<IResult> Patch(HttpContext context, Conductor conductor, string ident)
    {
        var version = Http.Version(context);
        var ops = JsonPatch.Parse(await Http.ReadJsonAsync(context.Request, context.RequestAborted));
        var node = await Resolve(context, conductor, ident);
        var reset = Http.QueryBool(context, "reset_interfaces") ?? false;
        var updated = await conductor.UpdateNodeAsync(
            node.Uuid, n => NodeFields.ApplyPatch(n, ops, version), reset, context.RequestAborted);
        var json = JsonContext(context, conductor);
        return Http.Json(200, w => NodeJson.Write(w, updated, json));
    }

    private static async Task<IResult> Delete(HttpContext context, Conductor conductor, string ident)
    {
        var node = await Resolve(context, conductor, ident);
        await conductor.DeleteNodeAsync(node.Uuid, context.RequestAborted);
        return Http.NoContent();
    }

    /// <summary>?fields=a,b (1.8+): node fields that exist at the request's version.</summary>
    private static HashSet<string>? ParseFields(HttpContext context, ApiVersion version)
    {
        if (Http.Query(context, "fields") is not null) Http.Require(context, ApiVersion.Fields);
        return Http.FieldList(context, f => NodeJson.IsField(f, version));
    }

    private static IReadOnlyCollection<ProvisionState>? ProvisionStateFilter(HttpContext context, ApiVersion version)
    {
        var raw = Filter(context, "provision_state", ApiVersion.ProvisionStateFilter);
        if (raw is null) return null;
        return ProvisionStates.TryParse(raw, out var state)
            ? [state]
            : throw ApiException.BadRequest($"Invalid provision state: {raw}");
    }

    private static string? Filter(HttpContext context, string name, ApiVersion since)
    {
        var raw = Http.Query(context, name);
        if (raw is not null) Http.Require(context, since);
        return raw;
    }

    private static readonly Dictionary<string, NodeSortKey> SortKeys = new(StringComparer.Ordinal)
    {
        ["id"] = NodeSortKey.Id, ["uuid"] = NodeSortKey.Uuid, ["name"] = NodeSortKey.Name,
        ["created_at"] = NodeSortKey.CreatedAt, ["updated_at"] = NodeSortKey.UpdatedAt,
        ["provision_state"] = NodeSortKey.ProvisionState, ["provision_updated_at"] = NodeSortKey.ProvisionUpdatedAt,
        ["driver"] = NodeSortKey.Driver, ["power_state"] = NodeSortKey.PowerState,
    };

    private static NodeSortKey SortKey(HttpContext context)
    {
        var raw = Http.Query(context, "sort_key");
        if (raw is null) return NodeSortKey.Id;
        return SortKeys.TryGetValue(raw, out var key)
            ? key
            : throw ApiException.BadRequest($"The sort_key value \"{raw}\" is an invalid field for sorting");
    }

    internal static SortDirection SortDir(HttpContext context) => Http.Query(context, "sort_dir") switch
    {
        null or "asc" => SortDirection.Asc,
        "desc" => SortDirection.Desc,
        var other => throw ApiException.BadRequest($"Invalid sort direction: {other}. Acceptable values are 'asc' or 'desc'"),
    };

    /// <summary>Ironic's "next": the same query with the marker advanced to the last node of this page.</summary>
    private static string NextLink(HttpContext context, bool detail, IReadOnlyCollection<string>? fields, int limit, Guid marker)
    {
        var args = new List<string>
        {
            $"sort_key={Uri.EscapeDataString(Http.Query(context, "sort_key") ?? "id")}",
            $"sort_dir={Uri.EscapeDataString(Http.Query(context, "sort_dir") ?? "asc")}",
        };
        foreach (var filter in (string[])["provision_state", "maintenance", "driver", "resource_class", "fault"])
            if (Http.Query(context, filter) is { } v) args.Add($"{filter}={Uri.EscapeDataString(v)}");
        if (fields is not null) args.Add($"fields={Uri.EscapeDataString(string.Join(",", fields))}");
        args.Add($"limit={limit}");
        args.Add($"marker={marker}");
        return $"{Http.BaseUrl(context.Request)}/v1/nodes{(detail ? "/detail" : "")}?{string.Join("&", args)}";
    }
}
