using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers;

/// <summary>
/// A hardware type (Ironic's "driver"): one implementation per interface type. Interface names are reported in the
/// node's <c>*_interface</c> fields; a node may only name the interfaces its hardware type has.
/// </summary>
public sealed class HardwareType
{
    public required string Name { get; init; }
    public required IPowerInterface Power { get; init; }
    public required IManagementInterface Management { get; init; }
    public required IBootInterface Boot { get; init; }
    public required IDeployInterface Deploy { get; init; }
    public required IInspectInterface Inspect { get; init; }
    public required IDriverInterface Bios { get; init; }
    public required IDriverInterface Console { get; init; }
    public required IDriverInterface Network { get; init; }
    public required IDriverInterface Raid { get; init; }
    public required IDriverInterface Rescue { get; init; }
    public required IDriverInterface Storage { get; init; }
    public required IDriverInterface Vendor { get; init; }

    /// <summary>Interface names a new node of this type gets.</summary>
    public NodeInterfaces DefaultInterfaces => new()
    {
        Bios = Bios.Name, Boot = Boot.Name, Console = Console.Name, Deploy = Deploy.Name, Inspect = Inspect.Name,
        Management = Management.Name, Network = Network.Name, Power = Power.Name, Raid = Raid.Name,
        Rescue = Rescue.Name, Storage = Storage.Name, Vendor = Vendor.Name,
    };

    /// <summary>Each interface type with its implementation, in the order Ironic's validate reports them.</summary>
    public IReadOnlyList<(string Type, IDriverInterface Impl)> All =>
    [
        ("bios", Bios), ("boot", Boot), ("console", Console), ("deploy", Deploy), ("inspect", Inspect),
        ("management", Management), ("network", Network), ("power", Power), ("raid", Raid), ("rescue", Rescue),
        ("storage", Storage),
    ];
}
