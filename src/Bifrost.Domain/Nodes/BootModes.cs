using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bifrost.Domain.Nodes;

/// <summary>
/// A node's boot mode, found where Ironic looks for it: <c>instance_info.deploy_boot_mode</c>, a <c>boot_mode</c>
/// capability in <c>instance_info.capabilities</c> then <c>properties.capabilities</c> (either the
/// <c>"k:v,k:v"</c> string the CLI sets or an object), then <c>driver_internal_info.deploy_boot_mode</c>, else the
/// configured default (Ironic's default_boot_mode, uefi since Yoga).
/// </summary>
public static class BootModes
{
    public const string Uefi = "uefi";
    public const string Bios = "bios";

    public static string Of(Node node, string fallback = Uefi) =>
        Valid(String(node.InstanceInfo["deploy_boot_mode"]))
        ?? Capability(node.InstanceInfo["capabilities"], "boot_mode")
        ?? Capability(node.Properties["capabilities"], "boot_mode")
        ?? Valid(String(node.DriverInternalInfo["deploy_boot_mode"]))
        ?? fallback;

    /// <summary>One capability from Ironic's capabilities field: a "k:v,k:v" string or a JSON object.</summary>
    public static string? Capability(JsonNode? capabilities, string key)
    {
        switch (capabilities)
        {
            case JsonObject o:
                return key == "boot_mode" ? Valid(String(o[key])) : String(o[key]);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                foreach (var pair in v.GetValue<string>().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    var colon = pair.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && pair[..colon].Trim() == key)
                    {
                        var value = pair[(colon + 1)..].Trim();
                        return key == "boot_mode" ? Valid(value) : value;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static string? String(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string? Valid(string? mode) => mode?.ToLowerInvariant() switch
    {
        Uefi => Uefi,
        Bios => Bios,
        _ => null,
    };
}
