using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary>
/// <c>bifrost node timeline NODE</c>: "why is it stuck?" — the node's state, what Bifrost waits for and until when,
/// the last boot hop seen, then every history event (state changes, BMC calls, DHCP/TFTP/HTTP hops) oldest first.
/// </summary>
internal static class TimelineVerb
{
    public static Command Create(CliOptions options)
    {
        var ident = NodeVerbs.NodeArgument();
        var command = new Command("timeline", "Show a node's timeline and what Bifrost is waiting for.") { ident };
        command.SetAction((r, ct) => options.RunAsync(r, ct, async c =>
        {
            var timeline = (await c.Client.GetAsync($"/v1/nodes/{BifrostClient.Segment(r.GetValue(ident)!)}/timeline", c.Ct))?.AsObject()
                           ?? throw new CliException(ExitCodes.ApiError, "timeline: empty answer");
            if (c.Json) c.WriteJson(timeline);
            else Render(c.Out, timeline);
            return ExitCodes.Ok;
        }));
        return command;
    }

    internal static void Render(TextWriter output, JsonObject timeline)
    {
        var node = timeline["node"]?.AsObject() ?? [];
        var name = Table.Cell(node["name"]) is { Length: > 0 } n ? $"{n} ({Table.Cell(node["uuid"])})" : Table.Cell(node["uuid"]);
        var target = Table.Cell(node["target_provision_state"]);
        output.WriteLine($"node {name}: {Table.Cell(node["provision_state"])}{(target.Length > 0 ? " → " + target : "")}, " +
                         $"power {Table.Cell(node["power_state"]) switch { "" => "unknown", var p => p }}" +
                         (node["maintenance"]?.GetValue<bool>() == true ? ", in maintenance" : ""));
        if (timeline["waiting"] is JsonObject waiting) output.WriteLine(Table.Cell(waiting["message"]));
        if (timeline["last_hop"] is JsonObject hop)
            output.WriteLine($"last boot hop: {Time(hop["created_at"])} {Table.Cell(hop["event_type"])}: {Table.Cell(hop["event"])}");
        else if (timeline["waiting"] is JsonObject)
            output.WriteLine("last boot hop: none seen (no DHCP, TFTP, HTTP or BMC event recorded for this node)");
        if (Table.Cell(node["last_error"]) is { Length: > 0 } error) output.WriteLine($"last error: {error}");
        output.WriteLine();
        var events = timeline["events"]?.AsArray().OfType<JsonObject>() ?? [];
        Table.Write(output, ["Time (UTC)", "Type", "Severity", "Event"],
            events.Select(e => (IReadOnlyList<string>)[Time(e["created_at"]), Table.Cell(e["event_type"]),
                Table.Cell(e["severity"]), Table.Cell(e["event"])]));
    }

    private static string Time(JsonNode? value) =>
        DateTimeOffset.TryParse(Table.Cell(value), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)
            : Table.Cell(value);
}
