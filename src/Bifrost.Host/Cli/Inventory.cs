using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bifrost.Host.Cli;

/// <summary>One node of an inventory: what <c>POST /v1/nodes</c> gets, plus its MACs.</summary>
internal sealed record InventoryNode(string Name, string Driver, JsonObject DriverInfo, JsonObject Properties,
    string? ResourceClass, IReadOnlyList<string> Macs);

/// <summary>
/// A YAML inventory of nodes, in OpenStack Bifrost's shape (a mapping of node name → node) or as a list under
/// <c>nodes:</c>. Each node: <c>driver</c> (default ipmi), <c>driver_info</c> and/or the shorthand
/// <c>bmc: {address, username, password, port}</c>, <c>nics: [{mac: ...}]</c> or <c>macs: [...]</c>,
/// <c>properties</c>, <c>resource_class</c>. Pure: text in, nodes or an error naming the node and key out.
/// </summary>
internal static class Inventory
{
    public static IReadOnlyList<InventoryNode> Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new CliException(ExitCodes.Usage, $"inventory is not valid YAML (line {e.Start.Line}): {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new CliException(ExitCodes.Usage, "inventory must be a mapping of node names, or have a 'nodes:' list");

        var entries = new List<(string? Key, YamlMappingNode Node)>();
        if (root.Children.Count == 1 && Key(root.Children.First().Key) == "nodes" && root.Children.First().Value is YamlSequenceNode list)
        {
            foreach (var item in list)
                entries.Add((null, item as YamlMappingNode ?? throw Bad("nodes", "each entry of 'nodes' must be a mapping")));
        }
        else
        {
            foreach (var (key, value) in root.Children)
                entries.Add((Key(key), value as YamlMappingNode ?? throw Bad(Key(key), "must be a mapping of node fields")));
        }

        var nodes = new List<InventoryNode>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, node) in entries)
        {
            var fields = (JsonObject)ToJson(node, stringsOnly: false)!;
            var name = Str(fields["name"]) ?? key ?? throw Bad("nodes", "a node has no 'name'");
            if (!names.Add(name)) throw Bad(name, "appears twice in the inventory");
            nodes.Add(ReadNode(name, node, fields));
        }
        return nodes;
    }

    private static InventoryNode ReadNode(string name, YamlMappingNode yaml, JsonObject fields)
    {
        // driver_info values are kept as written (strings), so a numeric-looking password stays a string.
        var driverInfo = Child(yaml, "driver_info") is { } di
            ? ToJson(di, stringsOnly: true) as JsonObject ?? throw Bad(name, "'driver_info' must be a mapping")
            : new JsonObject();
        if (Child(yaml, "bmc") is { } bmcNode)
        {
            var bmc = ToJson(bmcNode, stringsOnly: true) as JsonObject ?? throw Bad(name, "'bmc' must be a mapping");
            foreach (var (from, to) in (ReadOnlySpan<(string, string)>)[("address", "ipmi_address"), ("username", "ipmi_username"),
                         ("password", "ipmi_password"), ("port", "ipmi_port")])
                if (bmc[from] is { } v) driverInfo[to] = v.DeepClone();
            foreach (var (k, _) in bmc)
                if (k is not ("address" or "username" or "password" or "port"))
                    throw Bad(name, $"unknown bmc key '{k}' (address, username, password, port)");
        }

        var macs = new List<string>();
        if (fields["nics"] is JsonArray nics)
            foreach (var nic in nics)
                macs.Add(Str(nic?["mac"]) ?? throw Bad(name, "every entry of 'nics' needs a 'mac'"));
        if (fields["macs"] is JsonArray list)
            foreach (var mac in list)
                macs.Add(Str(mac) ?? throw Bad(name, "'macs' must be a list of MAC addresses"));

        var properties = fields["properties"] switch
        {
            null => new JsonObject(),
            JsonObject p => (JsonObject)p.DeepClone(),
            _ => throw Bad(name, "'properties' must be a mapping"),
        };
        return new InventoryNode(name, Str(fields["driver"]) ?? "ipmi", driverInfo, properties, Str(fields["resource_class"]),
            macs.Select(m => m.Trim().ToLowerInvariant()).Distinct().ToList());
    }

    private static CliException Bad(string where, string what) => new(ExitCodes.Usage, $"inventory: {where}: {what}");

    private static string Key(YamlNode node) => (node as YamlScalarNode)?.Value ?? "";

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.FirstOrDefault(kv => Key(kv.Key) == key).Value;

    private static string? Str(JsonNode? node) => node is JsonValue v
        ? v.TryGetValue<string>(out var s) ? s : v.ToJsonString()
        : null;

    /// <summary>YAML to JSON. Plain scalars become null/bool/number when they read as one (YAML 1.2 core schema),
    /// quoted ones stay strings; with <paramref name="stringsOnly"/> every scalar stays the text written.</summary>
    private static JsonNode? ToJson(YamlNode node, bool stringsOnly) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv =>
            new KeyValuePair<string, JsonNode?>(Key(kv.Key), ToJson(kv.Value, stringsOnly)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(c => ToJson(c, stringsOnly)).ToArray()),
        YamlScalarNode { Value: var v, Style: var style } => stringsOnly || style is not ScalarStyle.Plain ? JsonValue.Create(v ?? "") : Scalar(v),
        _ => null,
    };

    private static JsonNode? Scalar(string? v)
    {
        if (v is null or "" or "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }
}
