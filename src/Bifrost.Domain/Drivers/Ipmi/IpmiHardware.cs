using System.Text.Json.Nodes;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Ipmi;

/// <summary>
/// The <c>ipmi</c> hardware type, with Ironic's interface names so existing scripts keep working. Validation of
/// driver_info is complete; the BMC conversation itself (Bifrost's own RMCP+ client) plugs in through
/// <see cref="IIpmiClient"/>, and the agent-driven deploy through the deploy interface.
/// </summary>
public static class IpmiHardware
{
    public const string Name = "ipmi";

    /// <param name="pollInterval">How often a power change polls the chassis status (default 1 s).</param>
    /// <param name="defaultBootMode">The boot mode of nodes that name none (Ironic's default_boot_mode).</param>
    public static HardwareType Create(
        IIpmiClient client, TimeProvider? clock = null, TimeSpan? pollInterval = null, string defaultBootMode = BootModes.Uefi) => new()
    {
        Name = Name,
        Power = new IpmiPower(client, clock ?? TimeProvider.System, pollInterval ?? TimeSpan.FromSeconds(1)),
        Management = new IpmiManagement(client, defaultBootMode),
        Boot = new IpxeBoot(),
        Deploy = new DirectDeploy(),
        Inspect = new NoInspect(),
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

    /// <summary>Agent-driven deploy ("direct"): needs an image; the agent side lands with the deploy ramdisk.</summary>
    private sealed class DirectDeploy : IDeployInterface
    {
        public string Name => "direct";

        public ValidationResult Validate(Node node) =>
            node.InstanceInfo["image_source"] is null
                ? ValidationResult.Fail(
                    $"Cannot validate image information for node {node.Uuid} because one or more parameters are missing from its instance_info and insufficient information is present to boot from a remote volume. Missing are: ['image_source']")
                : ValidationResult.Ok;

        public Task<StepOutcome> DeployAsync(NodeTask task, CancellationToken ct) =>
            throw NotYet("deploy an image");

        public Task TearDownAsync(NodeTask task, CancellationToken ct) => Task.CompletedTask;

        public Task<StepOutcome> CleanAsync(NodeTask task, IReadOnlyList<JsonObject>? steps, CancellationToken ct) =>
            throw NotYet("clean disks");

        public Task AdoptAsync(NodeTask task, CancellationToken ct) => Task.CompletedTask;

        private static DriverOperationException NotYet(string what) =>
            new($"the direct deploy interface cannot {what} yet: Bifrost's deploy agent is not part of this build.");
    }

    private sealed class NoInspect : IInspectInterface
    {
        public string Name => "no-inspect";

        public ValidationResult Validate(Node node) =>
            ValidationResult.Fail($"Driver {IpmiHardware.Name} does not support inspect (disabled or not implemented).");

        public Task<StepOutcome> InspectAsync(NodeTask task, CancellationToken ct) =>
            throw new DriverOperationException("inspection is not supported by this node's inspect interface.");
    }
}
