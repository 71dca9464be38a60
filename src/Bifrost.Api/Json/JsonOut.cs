using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bifrost.Api.Json;

/// <summary>Small helpers for writing Ironic's JSON shapes with a Utf8JsonWriter.</summary>
internal static class JsonOut
{
    /// <summary>Ironic's timestamp form: 2026-11-21T13:20:13.293907+00:00.</summary>
    public static string Timestamp(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'");

    public static void WriteTimestamp(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } value) w.WriteString(name, Timestamp(value));
        else w.WriteNull(name);
    }

    public static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    public static void WriteBoolOrNull(Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } b) w.WriteBoolean(name, b);
        else w.WriteNull(name);
    }

    public static void WriteObject(Utf8JsonWriter w, string name, JsonObject value)
    {
        w.WritePropertyName(name);
        value.WriteTo(w);
    }

    /// <summary>Ironic's two links: self (versioned) and bookmark (unversioned).</summary>
    public static void WriteLinks(Utf8JsonWriter w, string name, string baseUrl, string path)
    {
        w.WritePropertyName(name);
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("href", $"{baseUrl}/v1/{path}");
        w.WriteString("rel", "self");
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("href", $"{baseUrl}/{path}");
        w.WriteString("rel", "bookmark");
        w.WriteEndObject();
        w.WriteEndArray();
    }
}
