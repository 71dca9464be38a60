using System.CommandLine;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary>
/// <c>bifrost enroll inventory.yaml</c>: creates the inventory's nodes and ports, idempotently. A node that exists
/// (by name) is compared field by field and patched where the inventory differs; a missing port is added. Secret
/// driver_info values of an existing node cannot be compared (the API masks them) and are left as they are. Each node
/// is reported as created, updated, unchanged or failed; one failure does not stop the others (exit code 1 at the end).
/// </summary>
internal static class EnrollVerb
{
    private const string Masked = "******";

    internal sealed record Outcome(string Name, string? Uuid, string Result, List<string> Changes, string? Error);

    public static Command Create(CliOptions options)
    {
        var file = new Argument<FileInfo>("inventory") { Description = "YAML inventory file (see README: Enroll an inventory)" };
        var command = new Command("enroll", "Enroll the nodes of a YAML inventory (existing nodes are updated or skipped).") { file };
        options.AddTo(command);
        command.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var path = r.GetValue(file)!;
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path.FullName, c.Ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.Usage, $"cannot read inventory {path}: {e.Message}");
            }
            var outcomes = new List<Outcome>();
            foreach (var node in Inventory.Parse(text))
            {
                try
                {
                    outcomes.Add(await EnrollAsync(c, node));
                }
                catch (CliException e) when (e.Code is ExitCodes.ApiError or ExitCodes.NotFound)
                {
                    outcomes.Add(new Outcome(node.Name, null, "failed", [], e.Message));
                }
                if (!c.Json && c.IsTerminal) c.Out.Write($"\r\u001b[2Kenrolling: {outcomes.Count} node(s) done");
            }
            if (!c.Json && c.IsTerminal) c.Out.Write("\r\u001b[2K");
            Report(c, outcomes);
            return outcomes.Any(o => o.Result == "failed") ? ExitCodes.ApiError : ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<Outcome> EnrollAsync(CliContext c, InventoryNode want)
    {
        JsonObject? have = null;
        try
        {
            have = await NodeVerbs.GetNodeAsync(c, want.Name);
        }
        catch (CliException e) when (e.Code == ExitCodes.NotFound)
        {
        }

        var changes = new List<string>();
        string uuid;
        if (have is null)
        {
            var body = new JsonObject
            {
                ["name"] = want.Name, ["driver"] = want.Driver,
                ["driver_info"] = want.DriverInfo.DeepClone(), ["properties"] = want.Properties.DeepClone(),
            };
            if (want.ResourceClass is not null) body["resource_class"] = want.ResourceClass;
            var created = await c.Client.PostAsync("/v1/nodes", body, c.Ct);
            uuid = Table.Cell(created?["uuid"]);
        }
        else
        {
            uuid = Table.Cell(have["uuid"]);
            var ops = Diff(have, want, changes);
            if (ops.Count > 0) await c.Client.PatchAsync($"/v1/nodes/{uuid}", ops, c.Ct);
        }

        foreach (var mac in want.Macs)
        {
            var found = await c.Client.GetAsync($"/v1/ports?address={Uri.EscapeDataString(mac)}&fields=uuid,node_uuid", c.Ct);
            var port = found?["ports"]?.AsArray().OfType<JsonObject>().FirstOrDefault();
            if (port is null)
            {
                await c.Client.PostAsync("/v1/ports", new JsonObject { ["address"] = mac, ["node_uuid"] = uuid }, c.Ct);
                if (have is not null) changes.Add($"port {mac}");
            }
            else if (Table.Cell(port["node_uuid"]) != uuid)
            {
                throw new CliException(ExitCodes.ApiError, $"MAC {mac} already belongs to node {Table.Cell(port["node_uuid"])}");
            }
        }
        var result = have is null ? "created" : changes.Count > 0 ? "updated" : "unchanged";
        return new Outcome(want.Name, uuid, result, changes, null);
    }

    /// <summary>JSON-patch operations making the node match the inventory; <paramref name="changes"/> gets the field
    /// names (never values: some are secrets).</summary>
    internal static JsonArray Diff(JsonObject have, InventoryNode want, List<string> changes)
    {
        var ops = new JsonArray();
        void Set(string path, JsonNode? value, string what)
        {
            ops.Add(new JsonObject { ["op"] = "add", ["path"] = path, ["value"] = value?.DeepClone() });
            changes.Add(what);
        }
        if (Table.Cell(have["driver"]) != want.Driver) Set("/driver", want.Driver, "driver");
        if (want.ResourceClass is not null && Table.Cell(have["resource_class"]) != want.ResourceClass)
            Set("/resource_class", want.ResourceClass, "resource_class");
        foreach (var (section, wanted) in (ReadOnlySpan<(string, JsonObject)>)[("driver_info", want.DriverInfo), ("properties", want.Properties)])
        {
            var current = have[section] as JsonObject ?? [];
            foreach (var (key, value) in wanted)
            {
                var now = current[key];
                if (now is JsonValue v && v.TryGetValue<string>(out var s) && s == Masked) continue; // a secret: cannot compare
                if (!JsonNode.DeepEquals(now, value)) Set($"/{section}/{Pointer(key)}", value, $"{section}.{key}");
            }
        }
        return ops;
    }

    private static string Pointer(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static void Report(CliContext c, List<Outcome> outcomes)
    {
        if (c.Json)
        {
            var nodes = new JsonArray();
            foreach (var o in outcomes)
                nodes.Add(new JsonObject
                {
                    ["name"] = o.Name, ["uuid"] = o.Uuid, ["result"] = o.Result,
                    ["changes"] = new JsonArray(o.Changes.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()), ["error"] = o.Error,
                });
            var summary = new JsonObject { ["nodes"] = nodes };
            foreach (var result in (string[])["created", "updated", "unchanged", "failed"])
                summary[result] = outcomes.Count(o => o.Result == result);
            c.WriteJson(summary);
            return;
        }
        Table.Write(c.Out, ["Name", "Result", "UUID", "Changes / error"],
            outcomes.Select(o => (IReadOnlyList<string>)[o.Name, o.Result, o.Uuid ?? "", o.Error ?? string.Join(", ", o.Changes)]));
        c.Out.WriteLine(string.Join(", ", ((string[])["created", "updated", "unchanged", "failed"])
            .Select(r => $"{outcomes.Count(o => o.Result == r)} {r}")));
    }
}
