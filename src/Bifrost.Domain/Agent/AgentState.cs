using System.Text.Json.Nodes;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Agent;

/// <summary>The command in flight (<c>driver_internal_info.agent_command</c>).</summary>
/// <param name="Text">The encoded command, re-sent as is when the agent did not get it (a lost answer).</param>
/// <param name="Quarter">The last progress quarter recorded in the history (0-4).</param>
public sealed record InFlightCommand(string Id, string Name, DateTimeOffset IssuedAt, string Status, string Text, int Quarter);

/// <summary>
/// The conductor's agent bookkeeping, all in driver_internal_info so a heartbeat after a restart finds it
/// (docs/agent-protocol.md §4): the token's hash, the queued steps, the command in flight, whether this boot's
/// agent has been heard from, and what the steps need (the prepared image).
/// </summary>
public static class AgentState
{
    public const string TokenKey = "agent_token_sha256";
    public const string StepsKey = "agent_steps";
    public const string CommandKey = "agent_command";
    public const string SequenceKey = "agent_command_seq";
    public const string HeardKey = "agent_heard";
    public const string ImageKey = "agent_image";
    public const string CleanReportKey = "clean_report";

    /// <summary>Every key of one ramdisk boot: dropped when the conductor (re)boots the node into the ramdisk and
    /// when the node leaves the ramdisk states, so no token or command outlives its boot.</summary>
    private static readonly string[] BootKeys = [TokenKey, CommandKey, HeardKey];

    public static void ForgetBoot(Node node)
    {
        foreach (var k in BootKeys) node.DriverInternalInfo.Remove(k);
    }

    /// <summary>Forgets the boot and the queued work.</summary>
    public static void ForgetAll(Node node)
    {
        ForgetBoot(node);
        node.DriverInternalInfo.Remove(StepsKey);
        node.DriverInternalInfo.Remove(ImageKey);
    }

    public static string? TokenHash(Node node) => Str(node.DriverInternalInfo[TokenKey]);

    public static void SetTokenHash(Node node, string sha256) => node.DriverInternalInfo[TokenKey] = sha256;

    public static void QueueSteps(Node node, IEnumerable<string> steps) =>
        node.DriverInternalInfo[StepsKey] = new JsonArray([.. steps.Select(s => (JsonNode)JsonValue.Create(s))]);

    /// <summary>Removes and returns the next queued step, or null.</summary>
    public static string? DequeueStep(Node node)
    {
        if (node.DriverInternalInfo[StepsKey] is not JsonArray steps || steps.Count == 0) return null;
        var next = Str(steps[0]);
        steps.RemoveAt(0);
        return next;
    }

    public static int NextSequence(Node node)
    {
        var n = (node.DriverInternalInfo[SequenceKey] is JsonValue v && v.TryGetValue(out int i) ? i : 0) + 1;
        node.DriverInternalInfo[SequenceKey] = n;
        return n;
    }

    public static bool Heard(Node node) => node.DriverInternalInfo[HeardKey] is JsonValue v && v.TryGetValue(out bool b) && b;

    public static void SetHeard(Node node) => node.DriverInternalInfo[HeardKey] = true;

    public static InFlightCommand? Command(Node node)
    {
        if (node.DriverInternalInfo[CommandKey] is not JsonObject c) return null;
        return new InFlightCommand(Str(c["id"]) ?? "", Str(c["name"]) ?? "",
            DateTimeOffset.TryParse(Str(c["issued_at"]), out var at) ? at : DateTimeOffset.MinValue,
            Str(c["status"]) ?? "", Str(c["text"]) ?? "",
            c["quarter"] is JsonValue q && q.TryGetValue(out int quarter) ? quarter : 0);
    }

    public static void SetCommand(Node node, InFlightCommand c) => node.DriverInternalInfo[CommandKey] = new JsonObject
    {
        ["id"] = c.Id, ["name"] = c.Name, ["issued_at"] = c.IssuedAt.ToString("O"), ["status"] = c.Status,
        ["text"] = c.Text, ["quarter"] = c.Quarter,
    };

    public static JsonObject? Image(Node node) => node.DriverInternalInfo[ImageKey] as JsonObject;

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
