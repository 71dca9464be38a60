using System.Globalization;
using System.Text.Json.Nodes;

namespace Bifrost.Domain.Agent;

/// <summary>A disk of an inventory (IPA's shape).</summary>
public sealed record InventoryDisk(string Name, long Size, string? Serial);

/// <summary>
/// Ironic's root device rule: the disk matching every hint of <c>properties.root_device</c> (name, size in GiB,
/// serial), or without hints the smallest disk of at least 4 GiB.
/// </summary>
public static class RootDisk
{
    public const long MinSize = 4L * 1024 * 1024 * 1024;
    private const long GiB = 1024L * 1024 * 1024;

    public static IReadOnlyList<InventoryDisk> Disks(JsonObject inventory)
    {
        var list = new List<InventoryDisk>();
        if (inventory["disks"] is not JsonArray disks) return list;
        foreach (var d in disks.OfType<JsonObject>())
        {
            var name = d["name"] is JsonValue n && n.TryGetValue(out string? s) ? s : null;
            if (name is null) continue;
            var size = JsonNumbers.Long(d["size"]) ?? 0;
            var serial = d["serial"] is JsonValue sv && sv.TryGetValue(out string? ser) ? ser : null;
            list.Add(new InventoryDisk(name, size, serial));
        }
        return list;
    }

    /// <summary>The root disk, or null when none qualifies.</summary>
    public static InventoryDisk? Pick(IReadOnlyList<InventoryDisk> disks, RootDeviceHints hints)
    {
        var candidates = disks.Where(d => hints.Matches(d)).ToList();
        if (hints.IsEmpty) candidates = [.. candidates.Where(d => d.Size >= MinSize)];
        return candidates.OrderBy(d => d.Size).FirstOrDefault();
    }

    /// <summary>local_gb as Ironic computes it: whole GiB of the root disk, minus 1 for partitioning.</summary>
    public static long LocalGb(InventoryDisk disk) => Math.Max(0, disk.Size / GiB - 1);

    internal static long Gib(long bytes) => bytes / GiB;
}

/// <summary>The hints of <c>properties.root_device</c> Bifrost honours: name, size (GiB), serial.</summary>
public sealed record RootDeviceHints(string? Name, long? SizeGb, string? Serial)
{
    public bool IsEmpty => Name is null && SizeGb is null && Serial is null;

    public static RootDeviceHints From(JsonObject properties)
    {
        if (properties["root_device"] is not JsonObject h) return new(null, null, null);
        static string? S(JsonNode? n) => n switch
        {
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonValue v when JsonNumbers.Long(v) is { } l => l.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        var size = S(h["size"]);
        return new(S(h["name"]), long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var gb) ? gb : null,
            S(h["serial"]));
    }

    public bool Matches(InventoryDisk d) =>
        (Name is null || d.Name == Name || d.Name == "/dev/" + Name)
        && (SizeGb is null || RootDisk.Gib(d.Size) == SizeGb)
        && (Serial is null || string.Equals(d.Serial, Serial, StringComparison.OrdinalIgnoreCase));
}
