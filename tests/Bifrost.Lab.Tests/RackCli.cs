using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Bifrost.Lab.Tests;

/// <summary>The real <c>baremetal</c> CLI against a rack's Bifrost, with the checks every step repeats.</summary>
internal sealed class RackCli(VirtualRack rack)
{
    /// <summary>Runs <c>baremetal ARGS</c>; fails the test with the CLI's output and the rack's logs unless it exits 0.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var result = await rack.Cli.RunAsync(args, retries: 0, timeout: TimeSpan.FromMinutes(20));
        if (result.ExitCode != 0) Assert.Fail($"baremetal {string.Join(' ', args)} failed: {result}\n{rack.Diagnostics()}");
        return result.Stdout;
    }

    /// <summary>Runs <c>baremetal ARGS</c> and returns the result whatever it is.</summary>
    public Task<BaremetalCli.Result> RunAsync(params string[] args) =>
        rack.Cli.RunAsync(args, retries: 0, timeout: TimeSpan.FromMinutes(20));

    public async Task<JsonObject> ShowAsync(string node) =>
        JsonNode.Parse(await OkAsync("node", "show", node, "-f", "json"))!.AsObject();

    public async Task<string> StateAsync(string node) =>
        (await ShowAsync(node))["provision_state"]!.GetValue<string>();

    /// <summary>Polls the node until <paramref name="predicate"/> holds on its JSON; fails with the node and logs after the timeout.</summary>
    public async Task<JsonObject> WaitForAsync(string node, Func<JsonObject, bool> predicate, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonObject shown;
        do
        {
            shown = await ShowAsync(node);
            if (predicate(shown)) return shown;
            await Task.Delay(1000);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{node}: {what} not reached within {timeout}: state {shown["provision_state"]}, last_error {shown["last_error"]}\n{rack.Diagnostics()}");
        return shown;
    }

    /// <summary>The node's history (API 1.78), oldest first: (event type, event).</summary>
    public async Task<List<(string Type, string Event)>> HistoryAsync(string node)
    {
        var list = JsonNode.Parse(await OkAsync("node", "history", "list", node, "--long", "-f", "json"))!.AsArray();
        // The CLI's column titles for event_type and event.
        return [.. list.Select(e => (e!["Event Origin Type"]?.ToString() ?? "", e["Description of the event"]?.ToString() ?? ""))];
    }

    public static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// Checks that <paramref name="history"/> contains events matching <paramref name="steps"/> in this order (other
    /// events may come between); fails naming the first step not found.
    /// </summary>
    public static void AssertInOrder(IReadOnlyList<(string Type, string Event)> history, params (string Name, Func<(string Type, string Event), bool> Match)[] steps)
    {
        var at = 0;
        foreach (var (name, match) in steps)
        {
            while (at < history.Count && !match(history[at])) at++;
            if (at == history.Count)
                Assert.Fail($"the history has no '{name}' after the steps before it:\n" +
                    string.Join('\n', history.Select(h => $"  [{h.Type}] {h.Event.Split('\n')[0]}")));
            at++;
        }
    }

    public static Func<(string Type, string Event), bool> Type(string type) => e => e.Type == type;
    public static Func<(string Type, string Event), bool> Says(string pattern) =>
        e => Regex.IsMatch(e.Event, pattern, RegexOptions.IgnoreCase);
}
