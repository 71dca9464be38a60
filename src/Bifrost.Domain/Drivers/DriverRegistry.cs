using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers;

/// <summary>The hardware types this Bifrost offers, by name.</summary>
public sealed class DriverRegistry(IEnumerable<HardwareType> types)
{
    private readonly Dictionary<string, HardwareType> _types = types.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<HardwareType> Types => _types.Values;

    /// <summary>Ironic's wording for an unknown driver, so scripts matching on it keep working.</summary>
    public HardwareType Get(string driver) =>
        _types.TryGetValue(driver, out var t)
            ? t
            : throw new BifrostException(
                $"No valid host was found. Reason: No conductor service registered which supports driver {driver} for conductor group \"\".");

    public bool Contains(string driver) => _types.ContainsKey(driver);

    /// <summary>
    /// Checks every interface name a node asks for exists in its hardware type, and fills in defaults for the rest.
    /// </summary>
    public NodeInterfaces ResolveInterfaces(HardwareType type, NodeInterfaces requested)
    {
        var d = type.DefaultInterfaces;
        return new NodeInterfaces
        {
            Bios = Pick(type, "bios", requested.Bios, d.Bios),
            Boot = Pick(type, "boot", requested.Boot, d.Boot),
            Console = Pick(type, "console", requested.Console, d.Console),
            Deploy = Pick(type, "deploy", requested.Deploy, d.Deploy),
            Inspect = Pick(type, "inspect", requested.Inspect, d.Inspect),
            Management = Pick(type, "management", requested.Management, d.Management),
            Network = Pick(type, "network", requested.Network, d.Network),
            Power = Pick(type, "power", requested.Power, d.Power),
            Raid = Pick(type, "raid", requested.Raid, d.Raid),
            Rescue = Pick(type, "rescue", requested.Rescue, d.Rescue),
            Storage = Pick(type, "storage", requested.Storage, d.Storage),
            Vendor = Pick(type, "vendor", requested.Vendor, d.Vendor),
        };
    }

    private static string? Pick(HardwareType type, string interfaceType, string? requested, string? fallback)
    {
        if (requested is null || requested == fallback) return fallback;
        throw new BifrostException(
            $"Interface {requested} is not supported by hardware type {type.Name} for {interfaceType}; supported: {fallback}.");
    }
}
