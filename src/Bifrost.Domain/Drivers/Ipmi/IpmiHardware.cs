using Bifrost.Domain.Agent;
using Bifrost.Domain.Drivers.Agent;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Images;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Ipmi;

/// <summary>
/// The <c>ipmi</c> hardware type, with Ironic's interface names so existing scripts keep working. Validation of
/// driver_info is complete; the BMC conversation itself (Bifrost's own RMCP+ client) plugs in through
/// <see cref="IIpmiClient"/>, and the agent-driven deploy and inspection through <see cref="AgentDeploy"/> and <see cref="AgentInspect"/>.
/// </summary>
public static class IpmiHardware
{
    public const string Name = "ipmi";

    /// <param name="pollInterval">How often a power change polls the chassis status (default 1 s).</param>
    /// <param name="defaultBootMode">The boot mode of nodes that name none (Ironic's default_boot_mode).</param>
    /// <param name="images">Prepares instance images for deploys; null: deploys fail with a clear error.</param>
    /// <param name="agent">The deploy agent's settings (Bifrost:Agent:*).</param>
    public static HardwareType Create(
        IIpmiClient client, TimeProvider? clock = null, TimeSpan? pollInterval = null, string defaultBootMode = BootModes.Uefi,
        IImageService? images = null, AgentOptions? agent = null) => new()
    {
        Name = Name,
        Power = new IpmiPower(client, clock ?? TimeProvider.System, pollInterval ?? TimeSpan.FromSeconds(1)),
        Management = new IpmiManagement(client, defaultBootMode),
        Boot = new IpxeBoot(),
        Deploy = new AgentDeploy(images, agent ?? new AgentOptions()),
        Inspect = new AgentInspect(),
        Bios = new UnsupportedInterface("no-bios", Name, "bios"),
        Console = new UnsupportedInterface("no-console", Name, "console"),
        Network = new NoopInterface("noop"),
        Raid = new UnsupportedInterface("no-raid", Name, "raid"),
        Rescue = new UnsupportedInterface("no-rescue", Name, "rescue"),
        Storage = new NoopInterface("noop"),
        Vendor = new NoopInterface("ipmitool"),
    };

    /// <summary>The BMC of a node, from its driver_info (validated first by the caller, so parse errors are user errors).</summary>
    internal static IpmiTarget Target(Node node) => new(node.Uuid, node.Name, IpmiDriverInfo.Parse(node.DriverInfo));

    internal static ValidationResult ValidateInfo(Node node)
    {
        try
        {
            IpmiDriverInfo.Parse(node.DriverInfo);
            return ValidationResult.Ok;
        }
        catch (BifrostException e)
        {
            return ValidationResult.Fail(e.Message);
        }
    }

    private sealed class IpxeBoot : IBootInterface
    {
        public string Name => "ipxe";
        // Bifrost serves its own deploy ramdisk, so no deploy_kernel/deploy_ramdisk is needed in driver_info.
        public ValidationResult Validate(Node node) => ValidationResult.Ok;
    }
}
