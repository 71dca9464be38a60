using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bifrost.Api.Json;

/// <summary>
/// What Ironic never shows: passwords in driver_info, image URLs and config drives in instance_info, agent tokens
/// in driver_internal_info, and credentials inside any URL. Applied to every node the API writes.
/// </summary>
public static partial class Secrets
{
    public const string Mask = "******";

    /// <summary>Masks the secrets of driver_info: every key ending in "password" (ipmi_password, ...), plus keys
    /// that name keys or tokens; credentials in URL values too.</summary>
    public static JsonObject DriverInfo(JsonObject info) => MaskWhere(info, IsSecretDriverKey);

    /// <summary>instance_info: image_url (a temp URL with a signature), configdrive; credentials in URLs.</summary>
    public static JsonObject InstanceInfo(JsonObject info) => MaskWhere(info, IsSecretInstanceKey);

    /// <summary>driver_internal_info: the agent's secret token (agent_secret_token), any other token, and the hash of
    /// Bifrost's agent token (agent_token_sha256: not the token, but nobody needs to see it).</summary>
    public static JsonObject DriverInternalInfo(JsonObject info) =>
        MaskWhere(info, k => k.EndsWith("_token", StringComparison.Ordinal) || k.StartsWith("agent_token", StringComparison.Ordinal));

    /// <summary>Keys whose value is never shown in instance_info; a superset of driver_info's.</summary>
    public static bool IsSecretInstanceKey(string key) => key is "image_url" or "configdrive" || IsSecretDriverKey(key);

    public static bool IsSecretDriverKey(string key) =>
        key.EndsWith("password", StringComparison.Ordinal)
        || key.EndsWith("_secret", StringComparison.Ordinal)
        || key.EndsWith("_token", StringComparison.Ordinal)
        || key.EndsWith("_key", StringComparison.Ordinal) && !key.EndsWith("_public_key", StringComparison.Ordinal);

    /// <summary>"http://user:pass@host/x" → "http://user:******@host/x"; anything else unchanged.</summary>
    public static string MaskUrlCredentials(string value) =>
        value.Contains('@', StringComparison.Ordinal) ? UrlCredentials().Replace(value, "$1" + Mask + "@") : value;

    private static JsonObject MaskWhere(JsonObject source, Func<string, bool> isSecret)
    {
        JsonObject? copy = null;
        foreach (var (key, value) in source)
        {
            JsonNode? replacement = null;
            if (value is not null && isSecret(key)) replacement = JsonValue.Create(Mask);
            else if (value is JsonValue v && v.TryGetValue<string>(out var text)
                     && MaskUrlCredentials(text) is var masked && masked != text)
                replacement = JsonValue.Create(masked);
            if (replacement is null) continue;
            copy ??= (JsonObject)source.DeepClone();
            copy[key] = replacement;
        }
        return copy ?? source;
    }

    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]+:)[^@/\s]*@")]
    private static partial Regex UrlCredentials();
}
