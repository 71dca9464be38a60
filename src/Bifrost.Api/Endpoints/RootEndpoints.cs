using System.Text.Json;
using Bifrost.Api.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bifrost.Api.Endpoints;

/// <summary>
/// GET / (the versions document ironic-python-agent reads) and GET /v1 (whose min/max headers the CLI reads when
/// it negotiates after a 406).
/// </summary>
public static class RootEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", Root);
        app.MapGet("/v1", V1);
    }

    private static IResult Root(HttpContext context)
    {
        var baseUrl = Http.BaseUrl(context.Request);
        return Http.Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("name", "OpenStack Ironic API");
            w.WriteString("description",
                "Bifrost serves a compatible subset of the OpenStack Ironic API for bare metal provisioning.");
            w.WritePropertyName("default_version");
            WriteVersion(w, baseUrl);
            w.WritePropertyName("versions");
            w.WriteStartArray();
            WriteVersion(w, baseUrl);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static IResult V1(HttpContext context)
    {
        var baseUrl = Http.BaseUrl(context.Request);
        var latest = Http.Version(context) >= ApiVersion.Max;
        return Http.Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("id", "v1");
            Links(w, "links", $"{baseUrl}/v1/", "self");
            w.WritePropertyName("media_types");
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("base", "application/json");
            w.WriteString("type", "application/vnd.openstack.ironic.v1+json");
            w.WriteEndObject();
            w.WriteEndArray();
            foreach (var resource in latest ? (string[])["nodes", "ports", "lookup", "heartbeat"] : ["nodes", "ports"])
                Links(w, resource, $"{baseUrl}/v1/{resource}/", "self", $"{baseUrl}/{resource}/");
            w.WritePropertyName("version");
            WriteVersion(w, baseUrl);
            w.WriteEndObject();
        });
    }

    private static void WriteVersion(Utf8JsonWriter w, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteString("id", "v1");
        Links(w, "links", $"{baseUrl}/v1/", "self");
        w.WriteString("status", "CURRENT");
        w.WriteString("min_version", ApiVersion.Min.ToString());
        w.WriteString("version", ApiVersion.Max.ToString());
        w.WriteEndObject();
    }

    private static void Links(Utf8JsonWriter w, string name, string self, string rel, string? bookmark = null)
    {
        w.WritePropertyName(name);
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("href", self);
        w.WriteString("rel", rel);
        w.WriteEndObject();
        if (bookmark is not null)
        {
            w.WriteStartObject();
            w.WriteString("href", bookmark);
            w.WriteString("rel", "bookmark");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
