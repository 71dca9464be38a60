using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bifrost.Domain.Agent;

/// <summary>
/// Numbers out of JSON nodes whatever backs them: a parsed document (JsonElement) and a value set in code (a CLR
/// int) answer TryGetValue differently, so read the number's text.
/// </summary>
internal static class JsonNumbers
{
    public static long? Long(JsonNode? n)
    {
        if (n is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        var text = v.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d is >= long.MinValue and <= long.MaxValue
            ? (long)d : null;
    }

    public static double? Double(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}
