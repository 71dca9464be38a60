using System.Globalization;
using System.Text.Json.Nodes;

namespace Bifrost.Domain.Agent;

/// <summary>
/// What an inventory (docs/agent-protocol.md §3, IPA's shape) means for the node: Ironic's properties (cpus,
/// cpu_arch, memory_mb, local_gb, capabilities boot_mode) and the MACs it has.
/// </summary>
public sealed record InspectionData(
    int? Cpus, string? CpuArch, long? MemoryMb, InventoryDisk? RootDisk, string? BootMode, IReadOnlyList<string> Macs)
{
    public static bool TryRead(JsonNode? inventory, RootDeviceHints hints, out InspectionData? data, out string? error)
    {
        data = null;
        if (inventory is not JsonObject inv) { error = "the inventory is not a JSON object"; return false; }
        var cpu = inv["cpu"] as JsonObject;
        var memory = inv["memory"] as JsonObject;
        var cpus = Long(cpu?["count"]);
        var physicalMb = Long(memory?["physical_mb"]);
        var totalBytes = Long(memory?["total"]);
        var macs = new List<string>();
        if (inv["interfaces"] is JsonArray nics)
            foreach (var mac in nics.OfType<JsonObject>().Select(n => Str(n["mac_address"])))
                if (mac is not null && Boot.MacAddresses.TryNormalise(mac, out var normal) && !macs.Contains(normal))
                    macs.Add(normal);
        var root = Agent.RootDisk.Pick(Agent.RootDisk.Disks(inv), hints);
        data = new InspectionData(
            cpus is > 0 and <= int.MaxValue ? (int)cpus : null,
            Str(cpu?["architecture"]),
            physicalMb ?? (totalBytes is { } t ? t / (1024 * 1024) : null),
            root,
            Str((inv["boot"] as JsonObject)?["current_boot_mode"]) is { } mode && mode is "uefi" or "bios" ? mode : null,
            macs);
        error = null;
        return true;
    }

    /// <summary>Sets the properties Ironic's inspection sets; capabilities keep every other key.</summary>
    public void ApplyTo(JsonObject properties)
    {
        if (Cpus is { } c) properties["cpus"] = c;
        if (CpuArch is { } a) properties["cpu_arch"] = a;
        if (MemoryMb is { } m) properties["memory_mb"] = m;
        if (RootDisk is { } d) properties["local_gb"] = Agent.RootDisk.LocalGb(d);
        if (BootMode is { } mode)
            properties["capabilities"] = MergeCapability(
                properties["capabilities"] is JsonValue v && v.TryGetValue(out string? s) ? s : null, "boot_mode", mode);
    }

    /// <summary>"a:1,boot_mode:bios" with boot_mode set to uefi → "a:1,boot_mode:uefi" (order kept, new keys appended).</summary>
    public static string MergeCapability(string? capabilities, string key, string value)
    {
        var parts = (capabilities ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var at = parts.FindIndex(p => p.Split(':', 2)[0] == key);
        if (at >= 0) parts[at] = $"{key}:{value}";
        else parts.Add($"{key}:{value}");
        return string.Join(',', parts);
    }

    /// <summary>"2 CPU x86_64, 1024 MiB, root disk /dev/vda 10 GiB, bios, 1 NIC".</summary>
    public string Summary() => string.Join(", ", new[]
    {
        $"{Cpus?.ToString(CultureInfo.InvariantCulture) ?? "?"} CPU {CpuArch ?? "?"}",
        $"{MemoryMb?.ToString(CultureInfo.InvariantCulture) ?? "?"} MiB",
        RootDisk is { } d ? $"root disk {d.Name} {Agent.RootDisk.Gib(d.Size)} GiB" : "no root disk ≥ 4 GiB",
        BootMode ?? "boot mode unknown",
        $"{Macs.Count} NIC(s)",
    });

    private static long? Long(JsonNode? n) => JsonNumbers.Long(n);

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
