using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bifrost.Domain.Agent;

/// <summary>Progress of a running command: a stage word and bytes done of total (0 = unknown).</summary>
public sealed record CommandProgress(string Stage, long Done, long Total);

/// <summary>What the agent says about the last command it was given (<c>bifrost.command</c>).</summary>
public sealed record CommandReport
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary><see cref="Running"/>, <see cref="Succeeded"/> or <see cref="Failed"/>.</summary>
    public required string Status { get; init; }
    public CommandProgress? Progress { get; init; }
    public string Message { get; init; } = "";
    public JsonObject Result { get; init; } = new();

    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>
/// A heartbeat body (docs/agent-protocol.md §2): Ironic's fields plus Bifrost's optional <c>bifrost</c> extension.
/// Parsing is pure and total: anything malformed is an error string, never an exception.
/// </summary>
public sealed record HeartbeatReport
{
    public string? AgentToken { get; init; }
    public string AgentVersion { get; init; } = "";
    public string CallbackUrl { get; init; } = "";
    public CommandReport? Command { get; init; }
    public string LogTail { get; init; } = "";

    /// <summary>Bifrost's own agent gets its next command in the answer; any other agent gets Ironic's empty 202.</summary>
    public bool IsBifrostAgent => AgentVersion.StartsWith("bifrost-agent/", StringComparison.Ordinal);

    /// <summary>The longest log tail kept (the protocol says ≤ 8 KiB; a longer one is cut, keeping its end).</summary>
    public const int MaxLogTail = 8 * 1024;

    public static bool TryRead(ReadOnlySpan<byte> json, out HeartbeatReport? report, out string? error)
    {
        report = null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            error = $"Malformed JSON in request body: {e.Message}";
            return false;
        }
        return TryRead(root, out report, out error);
    }

    public static bool TryRead(JsonNode? root, out HeartbeatReport? report, out string? error)
    {
        report = null;
        if (root is not JsonObject body) { error = "The heartbeat body must be a JSON object."; return false; }
        if (!Str(body, "agent_token", out var token, out error)
            || !Str(body, "agent_version", out var version, out error)
            || !Str(body, "callback_url", out var callback, out error)) return false;

        CommandReport? command = null;
        var tail = "";
        if (body["bifrost"] is { } ext)
        {
            if (ext is not JsonObject bifrost) { error = "bifrost must be an object."; return false; }
            if (!Str(bifrost, "log_tail", out var t, out error)) return false;
            tail = t ?? "";
            if (tail.Length > MaxLogTail) tail = tail[^MaxLogTail..];
            if (bifrost["command"] is { } c && !TryCommand(c, out command, out error)) return false;
        }
        report = new HeartbeatReport
        {
            AgentToken = token, AgentVersion = version ?? "", CallbackUrl = callback ?? "", Command = command, LogTail = tail,
        };
        error = null;
        return true;
    }

    private static bool TryCommand(JsonNode node, out CommandReport? command, out string? error)
    {
        command = null;
        if (node is not JsonObject c) { error = "bifrost.command must be an object."; return false; }
        if (!Str(c, "id", out var id, out error) || !Str(c, "name", out var name, out error)
            || !Str(c, "status", out var status, out error) || !Str(c, "message", out var message, out error)) return false;
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name))
        {
            error = "bifrost.command needs an id and a name.";
            return false;
        }
        if (status is not (CommandReport.Running or CommandReport.Succeeded or CommandReport.Failed))
        {
            error = $"bifrost.command.status must be running, succeeded or failed, not '{status}'.";
            return false;
        }
        CommandProgress? progress = null;
        if (c["progress"] is { } p)
        {
            if (p is not JsonObject po || !Str(po, "stage", out var stage, out error)
                || !Long(po, "done", out var done, out error) || !Long(po, "total", out var total, out error))
            {
                error ??= "bifrost.command.progress must be an object.";
                return false;
            }
            progress = new CommandProgress(stage ?? "", done, total);
        }
        var result = new JsonObject();
        if (c["result"] is { } r)
        {
            if (r is not JsonObject ro) { error = "bifrost.command.result must be an object."; return false; }
            result = (JsonObject)ro.DeepClone();
        }
        command = new CommandReport
        {
            Id = id, Name = name, Status = status, Progress = progress, Message = message ?? "", Result = result,
        };
        error = null;
        return true;
    }

    /// <summary>An optional string member: absent or null → null; any other type is an error.</summary>
    private static bool Str(JsonObject o, string key, out string? value, out string? error)
    {
        value = null;
        error = null;
        if (o[key] is not { } n) return true;
        if (n is JsonValue v && v.TryGetValue(out string? s)) { value = s; return true; }
        error = $"{key} must be a string.";
        return false;
    }

    /// <summary>An optional non-negative integer member (absent = 0).</summary>
    private static bool Long(JsonObject o, string key, out long value, out string? error)
    {
        value = 0;
        error = null;
        if (o[key] is not { } n) return true;
        if (JsonNumbers.Long(n) is { } l && l >= 0) { value = l; return true; }
        error = $"{key} must be a non-negative integer.";
        return false;
    }
}
