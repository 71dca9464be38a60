using System.Text.Json;
using System.Text.Json.Nodes;
using Bifrost.Api.Errors;

namespace Bifrost.Api.Requests;

/// <summary>Typed reads of request JSON with Ironic's schema-error wording.</summary>
internal static class Fields
{
    public static string? StringOrNull(JsonNode? value, string resource, string field) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw TypeError(value, resource, "string", field),
    };

    public static string String(JsonNode? value, string resource, string field) =>
        StringOrNull(value, resource, field) ?? throw TypeError(value, resource, "string", field);

    public static bool? BoolOrNull(JsonNode? value, string resource, string field) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        // Ironic's schemas accept the strings the CLI may send for booleans.
        JsonValue v when v.GetValueKind() == JsonValueKind.String && TryParseBool(v.GetValue<string>(), out var b) => b,
        _ => throw TypeError(value, resource, "boolean", field),
    };

    public static JsonObject Object(JsonNode? value, string resource, string field) => value switch
    {
        null => new JsonObject(),
        JsonObject o => (JsonObject)o.DeepClone(),
        _ => throw TypeError(value, resource, "object", field),
    };

    public static Guid Uuid(JsonNode? value, string resource, string field)
    {
        var s = String(value, resource, field);
        return Guid.TryParse(s, out var g) ? g : throw ApiException.BadRequest($"Schema error for {resource}: '{s}' is not a 'uuid'");
    }

    /// <summary>oslo's bool_from_string(strict=True) vocabulary.</summary>
    public static bool TryParseBool(string? s, out bool value)
    {
        switch (s?.Trim().ToLowerInvariant())
        {
            case "1" or "t" or "true" or "on" or "y" or "yes": value = true; return true;
            case "0" or "f" or "false" or "off" or "n" or "no": value = false; return true;
            default: value = false; return false;
        }
    }

    private static ApiException TypeError(JsonNode? value, string resource, string type, string field) =>
        ApiException.BadRequest(
            $"Schema error for {resource}: {JsonPatch.PyRepr(value)} is not of type '{type}' (field '{field}')");
}
