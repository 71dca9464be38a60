using System.CommandLine;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary><c>bifrost node list|show|create|delete|...</c>; the state-changing verbs are in <see cref="NodeActions"/>.</summary>
internal static class NodeVerbs
{
    /// <summary>The columns of <c>node list</c> and the keys of its --json objects: a stable shape for scripts.</summary>
    internal static readonly string[] ListFields =
        ["uuid", "name", "driver", "power_state", "provision_state", "target_provision_state", "maintenance", "last_error"];

    public static Command Create(CliOptions options)
    {
        var node = new Command("node", "Manage nodes through the Bifrost API.");
        options.AddTo(node);
        node.Subcommands.Add(List(options));
        node.Subcommands.Add(Show(options));
        node.Subcommands.Add(CreateNode(options));
        node.Subcommands.Add(Delete(options));
        foreach (var verb in NodeActions.ProvisionVerbs) node.Subcommands.Add(NodeActions.Provision(options, verb));
        node.Subcommands.Add(NodeActions.Power(options));
        node.Subcommands.Add(NodeActions.Maintenance(options));
        node.Subcommands.Add(TimelineVerb.Create(options));
        return node;
    }

    internal static Argument<string> NodeArgument() => new("node") { Description = "Node name or UUID" };

    private static Command List(CliOptions options)
    {
        var state = new Option<string?>("--provision-state") { Description = "Only nodes in this provision state" };
        var maintenance = new Option<bool?>("--maintenance") { Description = "Only nodes with (true) or without (false) maintenance" };
        var command = new Command("list", "List nodes.") { state, maintenance };
        command.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var query = $"/v1/nodes?fields={string.Join(',', ListFields)}&limit=1000";
            if (r.GetValue(state) is { } s) query += "&provision_state=" + Uri.EscapeDataString(s);
            if (r.GetValue(maintenance) is { } m) query += "&maintenance=" + (m ? "true" : "false");
            var nodes = await ReadAllAsync(c, query, "nodes");
            if (c.Json)
            {
                var array = new JsonArray();
                foreach (var n in nodes)
                {
                    var o = new JsonObject();
                    foreach (var f in ListFields) o[f] = n[f]?.DeepClone();
                    array.Add(o);
                }
                c.WriteJson(new JsonObject { ["nodes"] = array });
            }
            else
            {
                Table.Write(c.Out, ["UUID", "Name", "Power", "Provision", "Target", "Maint", "Last error"],
                    nodes.Select(n => (IReadOnlyList<string>)[
                        Table.Cell(n["uuid"]), Table.Cell(n["name"]), Table.Cell(n["power_state"]),
                        Table.Cell(n["provision_state"]), Table.Cell(n["target_provision_state"]),
                        Table.Cell(n["maintenance"]), Table.Cell(n["last_error"])]));
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Follows Ironic's <c>next</c> links until the list ends.</summary>
    internal static async Task<List<JsonObject>> ReadAllAsync(CliContext c, string path, string key)
    {
        var all = new List<JsonObject>();
        for (var next = path; next is not null;)
        {
            var page = await c.Client.GetAsync(next, c.Ct);
            all.AddRange(page?[key]?.AsArray().OfType<JsonObject>() ?? []);
            next = page?["next"]?.GetValue<string>() is { } link && Uri.TryCreate(link, UriKind.Absolute, out var u)
                ? u.PathAndQuery
                : null;
        }
        return all;
    }

    private static Command Show(CliOptions options)
    {
        var ident = NodeArgument();
        var command = new Command("show", "Show one node (secrets are masked by the API).") { ident };
        command.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var node = await GetNodeAsync(c, r.GetValue(ident)!);
            Print(c, node);
            return ExitCodes.Ok;
        }));
        return command;
    }

    internal static async Task<JsonObject> GetNodeAsync(CliContext c, string ident) =>
        (await c.Client.GetAsync($"/v1/nodes/{BifrostClient.Segment(ident)}", c.Ct))?.AsObject()
        ?? throw new CliException(ExitCodes.ApiError, $"node {ident}: empty answer");

    internal static void Print(CliContext c, JsonObject node)
    {
        if (c.Json) c.WriteJson(node);
        else Table.WriteObject(c.Out, node);
    }

    private static Command CreateNode(CliOptions options)
    {
        var driver = new Option<string>("--driver") { Description = "Hardware type: ipmi or fake-hardware", Required = true };
        var name = new Option<string?>("--name") { Description = "Node name" };
        var driverInfo = new Option<string[]>("--driver-info") { Description = "KEY=VALUE for driver_info (repeatable)" };
        var property = new Option<string[]>("--property") { Description = "KEY=VALUE for properties (repeatable)" };
        var resourceClass = new Option<string?>("--resource-class") { Description = "Resource class" };
        var command = new Command("create", "Enroll one node.") { driver, name, driverInfo, property, resourceClass };
        command.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var body = new JsonObject { ["driver"] = r.GetValue(driver) };
            if (r.GetValue(name) is { } n) body["name"] = n;
            if (r.GetValue(resourceClass) is { } rc) body["resource_class"] = rc;
            body["driver_info"] = Pairs(r.GetValue(driverInfo), "--driver-info");
            body["properties"] = Pairs(r.GetValue(property), "--property");
            var created = (await c.Client.PostAsync("/v1/nodes", body, c.Ct))?.AsObject()
                          ?? throw new CliException(ExitCodes.ApiError, "node create: empty answer");
            Print(c, created);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>KEY=VALUE pairs as a JSON object; values stay strings (the API validates types).</summary>
    internal static JsonObject Pairs(string[]? pairs, string option)
    {
        var o = new JsonObject();
        foreach (var p in pairs ?? [])
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new CliException(ExitCodes.Usage, $"{option} '{p.Split('=')[0]}...' is not KEY=VALUE");
            o[p[..eq]] = p[(eq + 1)..];
        }
        return o;
    }

    private static Command Delete(CliOptions options)
    {
        var idents = new Argument<string[]>("nodes") { Description = "Node names or UUIDs", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete nodes.") { idents };
        command.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var deleted = new JsonArray();
            foreach (var ident in r.GetValue(idents)!)
            {
                await c.Client.DeleteAsync($"/v1/nodes/{BifrostClient.Segment(ident)}", c.Ct);
                deleted.Add(ident);
                if (!c.Json) c.Out.WriteLine($"Deleted node {ident}");
            }
            if (c.Json) c.WriteJson(new JsonObject { ["deleted"] = deleted });
            return ExitCodes.Ok;
        }));
        return command;
    }
}
