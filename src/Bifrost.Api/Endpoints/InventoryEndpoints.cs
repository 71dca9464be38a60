using Bifrost.Api.Errors;
using Bifrost.Domain.Conductor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bifrost.Api.Endpoints;

/// <summary>GET /v1/nodes/{n}/inventory (Ironic 1.81): what the last inspection found.</summary>
public static class InventoryEndpoints
{
    private static readonly Versioning.ApiVersion Since = new(1, 81);

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/v1/nodes/{ident}/inventory", Show);

    private static async Task<IResult> Show(HttpContext context, Conductor conductor, string ident)
    {
        if (Http.Version(context) < Since) throw new ApiException(404, "The resource could not be found.");
        var node = await NodeEndpoints.Resolve(context, conductor, ident);
        var inventory = await conductor.Store.GetInventoryAsync(node.Uuid, context.RequestAborted)
                        ?? throw new ApiException(404, $"Node inventory for node {node.Uuid} could not be found.");
        return Http.Json(200, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("inventory");
            inventory.Inventory.WriteTo(w);
            w.WritePropertyName("plugin_data");
            inventory.PluginData.WriteTo(w);
            w.WriteEndObject();
        });
    }
}
