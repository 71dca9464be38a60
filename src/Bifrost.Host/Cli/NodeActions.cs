using System.CommandLine;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary>Provision, power and maintenance verbs: <c>bifrost node deploy n1 --wait</c>.</summary>
internal static class NodeActions
{
    /// <summary>A provision verb: the API target it sends and the stable state that means it is done.</summary>
    internal sealed record ProvisionVerb(string Name, string Target, string Expected, string Description);

    internal static readonly ProvisionVerb[] ProvisionVerbs =
    [
        new("manage", "manage", "manageable", "Verify the BMC and move the node to manageable."),
        new("provide", "provide", "available", "Clean the node (if automated cleaning is on) and make it available."),
        new("inspect", "inspect", "manageable", "Inspect the node's hardware, then return to manageable."),
        new("deploy", "active", "active", "Deploy the node's instance_info image."),
        new("undeploy", "deleted", "available", "Tear the instance down and clean the node."),
    ];

    private static Option<bool> WaitOption() => new("--wait") { Description = "Wait until the operation ends, showing progress" };

    private static Option<int> TimeoutOption() => new("--timeout")
    {
        Description = "With --wait: give up after this many seconds (exit code 5)", DefaultValueFactory = _ => 3600,
    };

    public static Command Provision(CliOptions options, ProvisionVerb verb)
    {
        var ident = NodeVerbs.NodeArgument();
        var wait = WaitOption();
        var timeout = TimeoutOption();
        var command = new Command(verb.Name, verb.Description) { ident, wait, timeout };
        var image = new Option<string?>("--image") { Description = "Set instance_info/image_source first (URL or path)" };
        var checksum = new Option<string?>("--image-checksum") { Description = "Set instance_info/image_checksum first" };
        if (verb.Name == "deploy")
        {
            command.Options.Add(image);
            command.Options.Add(checksum);
        }
        command.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var node = r.GetValue(ident)!;
            var patch = new JsonArray();
            foreach (var (option, key) in ((Option<string?>, string)[])[(image, "image_source"), (checksum, "image_checksum")])
                if (verb.Name == "deploy" && r.GetValue(option) is { } value)
                    patch.Add(new JsonObject { ["op"] = "add", ["path"] = $"/instance_info/{key}", ["value"] = value });
            if (patch.Count > 0) await c.Client.PatchAsync($"/v1/nodes/{BifrostClient.Segment(node)}", patch, c.Ct);
            await c.Client.PutAsync($"/v1/nodes/{BifrostClient.Segment(node)}/states/provision",
                new JsonObject { ["target"] = verb.Target }, c.Ct);
            if (r.GetValue(wait))
                return await new Waiter(c, node, TimeSpan.FromSeconds(r.GetValue(timeout))).ProvisionAsync(verb.Expected);
            if (c.Json) c.WriteJson(new JsonObject { ["node"] = node, ["requested"] = verb.Target });
            else c.Out.WriteLine($"{verb.Name} requested for node {node}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static readonly Dictionary<string, (string Target, string Expected)> PowerTargets = new(StringComparer.Ordinal)
    {
        ["on"] = ("power on", "power on"),
        ["off"] = ("power off", "power off"),
        ["reboot"] = ("rebooting", "power on"),
        ["soft-off"] = ("soft power off", "power off"),
    };

    public static Command Power(CliOptions options)
    {
        var power = new Command("power", "Power a node on, off, reboot it, or shut it down softly.");
        foreach (var (name, (target, expected)) in PowerTargets)
        {
            var ident = NodeVerbs.NodeArgument();
            var wait = WaitOption();
            var timeout = TimeoutOption();
            var command = new Command(name, $"Set the power state: {target}.") { ident, wait, timeout };
            command.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
            {
                var node = r.GetValue(ident)!;
                await c.Client.PutAsync($"/v1/nodes/{BifrostClient.Segment(node)}/states/power",
                    new JsonObject { ["target"] = target }, c.Ct);
                if (r.GetValue(wait))
                    return await new Waiter(c, node, TimeSpan.FromSeconds(r.GetValue(timeout))).PowerAsync(expected);
                if (c.Json) c.WriteJson(new JsonObject { ["node"] = node, ["requested"] = target });
                else c.Out.WriteLine($"{target} requested for node {node}");
                return ExitCodes.Ok;
            }));
            power.Subcommands.Add(command);
        }
        return power;
    }

    public static Command Maintenance(CliOptions options)
    {
        var maintenance = new Command("maintenance", "Put a node in maintenance or take it out.");
        var ident = NodeVerbs.NodeArgument();
        var reason = new Option<string?>("--reason") { Description = "Why (shown as maintenance_reason)" };
        var on = new Command("on", "Set maintenance: Bifrost stops acting on the node.") { ident, reason };
        on.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var body = r.GetValue(reason) is { } why ? new JsonObject { ["reason"] = why } : null;
            await c.Client.PutAsync($"/v1/nodes/{BifrostClient.Segment(r.GetValue(ident)!)}/maintenance", body, c.Ct);
            return await Report(c, r.GetValue(ident)!);
        }));
        var ident2 = NodeVerbs.NodeArgument();
        var off = new Command("off", "Clear maintenance.") { ident2 };
        off.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            await c.Client.DeleteAsync($"/v1/nodes/{BifrostClient.Segment(r.GetValue(ident2)!)}/maintenance", c.Ct);
            return await Report(c, r.GetValue(ident2)!);
        }));
        maintenance.Subcommands.Add(on);
        maintenance.Subcommands.Add(off);
        return maintenance;
    }

    private static async Task<int> Report(CliContext c, string ident)
    {
        var node = await NodeVerbs.GetNodeAsync(c, ident);
        if (c.Json)
            c.WriteJson(new JsonObject
            {
                ["uuid"] = node["uuid"]?.DeepClone(), ["name"] = node["name"]?.DeepClone(),
                ["maintenance"] = node["maintenance"]?.DeepClone(), ["maintenance_reason"] = node["maintenance_reason"]?.DeepClone(),
            });
        else
            c.Out.WriteLine($"node {ident}: maintenance {(node["maintenance"]?.GetValue<bool>() == true ? "on" : "off")}" +
                            (Table.Cell(node["maintenance_reason"]) is { Length: > 0 } why ? $" ({why})" : ""));
        return ExitCodes.Ok;
    }
}
