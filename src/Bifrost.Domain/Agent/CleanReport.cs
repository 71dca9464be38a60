using System.Globalization;
using System.Text.Json.Nodes;

namespace Bifrost.Domain.Agent;

/// <summary>One disk of a clean report (docs/agent-protocol.md §3).</summary>
public sealed record CleanedDisk(string Device, string? Serial, string Method, long Bytes, double DurationS, bool Ok, string? Error)
{
    /// <summary>One history line: "/dev/vda (serial S1): metadata, 2 MiB in 0.4 s: ok".</summary>
    public string Line() =>
        $"{Device}{(string.IsNullOrEmpty(Serial) ? "" : $" (serial {Serial})")}: {Method}, {Size(Bytes)} in " +
        $"{DurationS.ToString("0.0", CultureInfo.InvariantCulture)} s: {(Ok ? "ok" : $"failed: {Error}")}";

    private static string Size(long b) => b >= 1L << 30 ? $"{b / (double)(1L << 30):0.0} GiB"
        : b >= 1L << 20 ? $"{b / (double)(1L << 20):0.#} MiB" : $"{b} bytes";
}

/// <summary>The agent's per-disk report of an erase step.</summary>
public static class CleanReport
{
    public static bool TryRead(JsonObject result, out IReadOnlyList<CleanedDisk> disks, out string? error)
    {
        var list = new List<CleanedDisk>();
        disks = list;
        if (result["disks"] is not JsonArray array) { error = "the clean report has no disks list"; return false; }
        foreach (var d in array)
        {
            if (d is not JsonObject o || Str(o["device"]) is not { } device)
            {
                error = "a disk of the clean report has no device";
                return false;
            }
            list.Add(new CleanedDisk(device, Str(o["serial"]), Str(o["method"]) ?? "?",
                JsonNumbers.Long(o["bytes"]) ?? 0,
                JsonNumbers.Double(o["duration_s"]) ?? 0,
                Str(o["result"]) == "ok", Str(o["error"])));
        }
        error = null;
        return true;
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
