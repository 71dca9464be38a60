using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary>
/// <c>--wait</c>: polls the node until the operation ends and shows where it is. On a terminal one status line is
/// redrawn in place (state → target, elapsed, step and image progress) and each state change leaves a line behind;
/// on a pipe or file every change is one plain line. With --json nothing but the final node is printed.
/// </summary>
internal sealed class Waiter(CliContext c, string ident, TimeSpan timeout)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private string? _lastState;
    private string? _lastLine;
    private bool _statusShown;

    /// <summary>Waits for <paramref name="expected"/> as a stable state; any other stable or failed state is a failure.</summary>
    public async Task<int> ProvisionAsync(string expected)
    {
        while (true)
        {
            var node = await NodeVerbs.GetNodeAsync(c, ident);
            var state = Table.Cell(node["provision_state"]);
            var target = Table.Cell(node["target_provision_state"]);
            Show(node, state, $"{state}{(target.Length > 0 ? " → " + target : "")}");
            if (target.Length == 0 && state == expected) return Finish(node, state, ExitCodes.Ok);
            // The request moved the node out of its start state before it answered, so resting anywhere else means
            // the operation failed (verify failures fall back to enroll; others land in "... failed" or "error").
            if (state.EndsWith(" failed", StringComparison.Ordinal) || state == "error"
                || (target.Length == 0 && StableStates.Contains(state)))
                return Finish(node, state, ExitCodes.FailedState);
            if (await TimedOut()) return Finish(node, state, ExitCodes.Timeout);
        }
    }

    /// <summary>Waits until no power change is pending, then checks the power state reached.</summary>
    public async Task<int> PowerAsync(string expected)
    {
        while (true)
        {
            var node = await NodeVerbs.GetNodeAsync(c, ident);
            var power = Table.Cell(node["power_state"]);
            var target = Table.Cell(node["target_power_state"]);
            Show(node, power, target.Length > 0 ? $"{power} → {target}" : power);
            if (target.Length == 0)
                return Finish(node, power, power == expected ? ExitCodes.Ok : ExitCodes.FailedState);
            if (await TimedOut()) return Finish(node, power, ExitCodes.Timeout);
        }
    }

    private static readonly HashSet<string> StableStates = new(StringComparer.Ordinal)
    {
        "enroll", "manageable", "available", "active", "error",
    };

    private async Task<bool> TimedOut()
    {
        if (_elapsed.Elapsed >= timeout) return true;
        await Task.Delay(Poll, c.Ct);
        return false;
    }

    private void Show(JsonObject node, string state, string headline)
    {
        if (c.Json) return;
        var line = $"{ident}: {headline}{Details(node)}";
        var elapsed = Elapsed();
        if (!c.IsTerminal)
        {
            if (line != _lastLine) c.Out.WriteLine($"[{elapsed}] {line}");
        }
        else
        {
            // A state change keeps the previous status line as history; otherwise the line is redrawn in place.
            if (_statusShown && state != _lastState) c.Out.Write('\n');
            c.Out.Write($"\r\u001b[2K[{elapsed}] {line}");
            _statusShown = true;
        }
        c.Out.Flush();
        _lastLine = line;
        _lastState = state;
    }

    /// <summary>The step running and any progress the agent reported (deploy_step, clean_step and the
    /// driver_internal_info keys that look like progress): shown as found, nothing is invented.</summary>
    internal static string Details(JsonObject node)
    {
        var parts = new List<string>();
        foreach (var key in (string[])["deploy_step", "clean_step"])
            if (node[key] is JsonObject step && step["step"] is { } name)
                parts.Add($"{key.Replace("_step", "", StringComparison.Ordinal)} step {Table.Cell(step["interface"])}.{Table.Cell(name)}".Replace(" .", " ", StringComparison.Ordinal));
        if (node["driver_internal_info"] is JsonObject { } agentInfo && AgentProgress(agentInfo["agent_command"]) is { } agent)
            parts.Add(agent);
        if (node["driver_internal_info"] is JsonObject info)
            foreach (var (key, value) in info)
                if (value is JsonValue && (key.Contains("progress", StringComparison.Ordinal) || key.Contains("percent", StringComparison.Ordinal)))
                    parts.Add($"{key} {Table.Cell(value)}");
        return parts.Count == 0 ? "" : "  (" + string.Join(", ", parts) + ")";
    }

    /// <summary>The agent's command in flight and its last reported progress (docs/agent-protocol.md §4):
    /// "write_image write 480/1024 MiB (46%)"; null when no command is in flight.</summary>
    internal static string? AgentProgress(JsonNode? command)
    {
        if (command is not JsonObject cmd || cmd["name"] is not JsonValue name) return null;
        var text = $"agent {Table.Cell(name)}";
        if (cmd["status"] is JsonValue status && Table.Cell(status) is { Length: > 0 } s && s != "running") text += $" {s}";
        if (cmd["progress"] is JsonObject p && Number(p["done"]) is { } done)
        {
            if (p["stage"] is JsonValue stage) text += $" {Table.Cell(stage)}";
            var total = Number(p["total"]) ?? 0;
            const double MiB = 1024 * 1024;
            text += total > 0
                ? string.Create(CultureInfo.InvariantCulture, $" {done / MiB:0}/{total / MiB:0} MiB ({Math.Min(100, done * 100 / total):0}%)")
                : string.Create(CultureInfo.InvariantCulture, $" {done / MiB:0} MiB");
        }
        return text;
    }

    private static double? Number(JsonNode? n) =>
        n is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private int Finish(JsonObject node, string state, int code)
    {
        if (c.Json)
        {
            c.WriteJson(node);
            return code;
        }
        if (c.IsTerminal && _statusShown) c.Out.Write('\n');
        var seconds = _elapsed.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var outcome = code switch
        {
            ExitCodes.Ok => $"{ident}: {state} after {seconds} s",
            ExitCodes.Timeout => $"{ident}: still {state} after {seconds} s: gave up waiting (--timeout); the operation continues",
            _ => $"{ident}: {state} after {seconds} s: {Table.Cell(node["last_error"])}",
        };
        if (code == ExitCodes.Ok) c.Out.WriteLine(outcome);
        else Console.Error.WriteLine($"bifrost: {outcome}");
        return code;
    }

    private string Elapsed()
    {
        var t = _elapsed.Elapsed;
        return $"{(int)t.TotalMinutes}:{t.Seconds:00}";
    }
}
