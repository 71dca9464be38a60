using System.Text;

namespace Bifrost.Domain.Agent;

/// <summary>Command names of docs/agent-protocol.md §3.</summary>
public static class AgentCommands
{
    public const string None = "none";
    public const string Inspect = "inspect";
    public const string EraseDevicesMetadata = "erase_devices_metadata";
    public const string EraseDevices = "erase_devices";
    public const string WriteImage = "write_image";
    public const string Exit = "exit";

    /// <summary>Clean steps a manual <c>clean</c> may name (interface <c>deploy</c>).</summary>
    public static readonly IReadOnlyList<string> CleanSteps = [EraseDevicesMetadata, EraseDevices];
}

/// <summary>
/// One command of the heartbeat answer (docs/agent-protocol.md §3): UTF-8 lines <c>key=value</c>, the first always
/// <c>command=NAME</c>. Values never hold a newline: the agent reads line by line and never evals.
/// </summary>
public sealed record AgentCommand(string Name, IReadOnlyList<KeyValuePair<string, string>> Values)
{
    public static AgentCommand Simple(string name, params (string Key, string Value)[] values) =>
        new(name, [.. values.Select(v => new KeyValuePair<string, string>(v.Key, v.Value))]);

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? this[string key] => Values.FirstOrDefault(v => v.Key == key).Value;

    /// <summary>Encodes the command; false (and why) when a key is not a plain word or a value holds a line break.</summary>
    public bool TryEncode(out string text, out string? error)
    {
        text = "";
        var sb = new StringBuilder();
        if (!IsKey(Name)) { error = $"command name '{Name}' is not a plain word"; return false; }
        sb.Append("command=").Append(Name).Append('\n');
        foreach (var (key, value) in Values)
        {
            if (!IsKey(key)) { error = $"command {Name}: key '{key}' is not a plain word"; return false; }
            // \n ends a line for the agent's `read`, \r would end up in the value; both are refused, not escaped.
            if (value.AsSpan().IndexOfAny('\n', '\r') >= 0)
            {
                error = $"command {Name}: the value of {key} contains a line break";
                return false;
            }
            sb.Append(key).Append('=').Append(value).Append('\n');
        }
        text = sb.ToString();
        error = null;
        return true;
    }

    /// <summary>Reads an encoded command back (the agent's side, for tests and tools); false when malformed.</summary>
    public static bool TryRead(string text, out AgentCommand? command, out string? error)
    {
        command = null;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("command=", StringComparison.Ordinal))
        {
            error = "the first line is not command=NAME";
            return false;
        }
        var values = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) { error = $"line '{line}' is not key=value"; return false; }
            values.Add(new(line[..eq], line[(eq + 1)..]));
        }
        command = new AgentCommand(lines[0]["command=".Length..], values);
        error = null;
        return true;
    }

    private static bool IsKey(string key) =>
        key.Length > 0 && key.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}
