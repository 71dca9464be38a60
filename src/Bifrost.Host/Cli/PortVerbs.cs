using System.CommandLine;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary><c>bifrost port list|show|create|delete</c>. A port is found by UUID or by MAC address.</summary>
internal static class PortVerbs
{
    internal static readonly string[] ListFields = ["uuid", "address", "node_uuid", "pxe_enabled"];

    public static Command Create(CliOptions options)
    {
        var port = new Command("port", "Manage ports (a node's NICs, by MAC address).");
        options.AddTo(port);

        var node = new Option<string?>("--node") { Description = "Only the ports of this node (name or UUID)" };
        var list = new Command("list", "List ports.") { node };
        list.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var query = $"/v1/ports?fields={string.Join(',', ListFields)}&limit=1000";
            if (r.GetValue(node) is { } n) query += "&node=" + Uri.EscapeDataString(n);
            var ports = await NodeVerbs.ReadAllAsync(c, query, "ports");
            if (c.Json)
            {
                var array = new JsonArray();
                foreach (var p in ports)
                {
                    var o = new JsonObject();
                    foreach (var f in ListFields) o[f] = p[f]?.DeepClone();
                    array.Add(o);
                }
                c.WriteJson(new JsonObject { ["ports"] = array });
            }
            else
            {
                Table.Write(c.Out, ["UUID", "Address", "Node UUID", "PXE"],
                    ports.Select(p => (IReadOnlyList<string>)[Table.Cell(p["uuid"]), Table.Cell(p["address"]),
                        Table.Cell(p["node_uuid"]), Table.Cell(p["pxe_enabled"])]));
            }
            return ExitCodes.Ok;
        }));

        var ident = PortArgument();
        var show = new Command("show", "Show one port.") { ident };
        show.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var p = await GetPortAsync(c, r.GetValue(ident)!);
            if (c.Json) c.WriteJson(p);
            else Table.WriteObject(c.Out, p);
            return ExitCodes.Ok;
        }));

        var address = new Argument<string>("address") { Description = "MAC address" };
        var owner = new Option<string>("--node") { Description = "The node (name or UUID)", Required = true };
        var noPxe = new Option<bool>("--no-pxe") { Description = "The NIC does not PXE-boot (pxe_enabled false)" };
        var create = new Command("create", "Add a port to a node.") { address, owner, noPxe };
        create.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var nodeUuid = Table.Cell((await NodeVerbs.GetNodeAsync(c, r.GetValue(owner)!))["uuid"]);
            var body = new JsonObject { ["address"] = r.GetValue(address), ["node_uuid"] = nodeUuid };
            if (r.GetValue(noPxe)) body["pxe_enabled"] = false;
            var created = (await c.Client.PostAsync("/v1/ports", body, c.Ct))?.AsObject()
                          ?? throw new CliException(ExitCodes.ApiError, "port create: empty answer");
            if (c.Json) c.WriteJson(created);
            else Table.WriteObject(c.Out, created);
            return ExitCodes.Ok;
        }));

        var idents = new Argument<string[]>("ports") { Description = "Port UUIDs or MAC addresses", Arity = ArgumentArity.OneOrMore };
        var delete = new Command("delete", "Delete ports.") { idents };
        delete.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var deleted = new JsonArray();
            foreach (var i in r.GetValue(idents)!)
            {
                var uuid = Table.Cell((await GetPortAsync(c, i))["uuid"]);
                await c.Client.DeleteAsync($"/v1/ports/{uuid}", c.Ct);
                deleted.Add(i);
                if (!c.Json) c.Out.WriteLine($"Deleted port {i}");
            }
            if (c.Json) c.WriteJson(new JsonObject { ["deleted"] = deleted });
            return ExitCodes.Ok;
        }));

        port.Subcommands.Add(list);
        port.Subcommands.Add(show);
        port.Subcommands.Add(create);
        port.Subcommands.Add(delete);
        return port;
    }

    private static Argument<string> PortArgument() => new("port") { Description = "Port UUID or MAC address" };

    /// <summary>By UUID, else by MAC through the list filter (Ironic has no GET /v1/ports/{mac}).</summary>
    internal static async Task<JsonObject> GetPortAsync(CliContext c, string ident)
    {
        if (Guid.TryParse(ident, out var uuid))
            return (await c.Client.GetAsync($"/v1/ports/{uuid}", c.Ct))?.AsObject()
                   ?? throw new CliException(ExitCodes.ApiError, $"port {ident}: empty answer");
        var found = await c.Client.GetAsync($"/v1/ports/detail?address={Uri.EscapeDataString(ident)}", c.Ct);
        return found?["ports"]?.AsArray().OfType<JsonObject>().FirstOrDefault()
               ?? throw new CliException(ExitCodes.NotFound, $"port {ident} could not be found");
    }
}
