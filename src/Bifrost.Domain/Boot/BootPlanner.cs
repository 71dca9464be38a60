using System.Text.Json;
using System.Text.Json.Nodes;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Boot;

/// <summary>
/// The one place that decides what a PXE-booting MAC boots next (DESIGN.md: one decision point). Pure: the node, its
/// state, the firmware and the settings in, a <see cref="BootPlan"/> out. The rules, in order:
/// <list type="number">
/// <item>an unknown MAC → the discovery ramdisk when discovery is enabled, else exit;</item>
/// <item>a node deploying, cleaning or inspecting, or waiting in one of those (Ironic's wait call-back, clean wait,
///   inspect wait) → the deploy ramdisk, with the API URL and the node's identity on the kernel command line;</item>
/// <item>an active node → its local disk, so a node that PXE-boots after its deploy does not loop into the ramdisk;</item>
/// <item>any other state → exit to the firmware's next boot device;</item>
/// <item>a ramdisk plan whose files are missing → an error plan that says which file.</item>
/// </list>
/// Ironic's rescue states are not modelled by Bifrost's state machine yet; when they are, rescue wait belongs to rule 2.
/// </summary>
public static class BootPlanner
{
    /// <summary>States in which the node runs the agent ramdisk.</summary>
    public static readonly IReadOnlySet<ProvisionState> RamdiskStates = new HashSet<ProvisionState>
    {
        ProvisionState.Deploying, ProvisionState.DeployWait,
        ProvisionState.Cleaning, ProvisionState.CleanWait,
        ProvisionState.Inspecting, ProvisionState.InspectWait,
    };

    public static BootPlan Plan(BootRequest request, BootSettings settings)
    {
        if (request.Node is not { } node)
        {
            return settings.Discovery
                ? Ramdisk(request, settings, BootAction.DiscoveryRamdisk, request.Firmware, "unknown MAC, discovery enabled",
                    $"bifrost.api={request.ApiUrl} bifrost.discovery=1 BOOTIF={request.Mac}", nodeArgs: null)
                : new BootPlan
                {
                    Action = BootAction.Exit, Firmware = request.Firmware, Reason = "unknown MAC, discovery disabled",
                };
        }

        var firmware = request.Firmware != BootFirmware.Unknown
            ? request.Firmware
            : BootModes.Of(node) == BootModes.Bios ? BootFirmware.Bios : BootFirmware.Uefi;
        var state = $"state {node.ProvisionState.ToWire()}";

        if (RamdiskStates.Contains(node.ProvisionState))
        {
            return Ramdisk(request, settings, BootAction.DeployRamdisk, firmware, state,
                $"bifrost.api={request.ApiUrl} bifrost.node={node.Uuid} BOOTIF={request.Mac}",
                nodeArgs: String(node.DriverInfo["kernel_append_params"]));
        }
        if (node.ProvisionState == ProvisionState.Active)
            return new BootPlan { Action = BootAction.LocalDisk, Firmware = firmware, Reason = state };
        return new BootPlan { Action = BootAction.Exit, Firmware = firmware, Reason = state };
    }

    private static BootPlan Ramdisk(
        BootRequest request, BootSettings settings, BootAction action, BootFirmware firmware, string reason,
        string identity, string? nodeArgs)
    {
        foreach (var file in new[] { settings.RamdiskKernel, settings.RamdiskInitrd })
        {
            if (!request.RamdiskFileExists(file))
            {
                return new BootPlan
                {
                    Action = BootAction.Error, Firmware = firmware, Reason = reason,
                    Error = $"deploy ramdisk file ramdisk/{file} is missing on the Bifrost server",
                };
            }
        }

        var args = new List<string> { identity };
        // iPXE under UEFI hands the kernel's EFI stub the command line as is: the stub finds the initrd only by
        // initrd=NAME (LAB.md: iPXE 2019 under EFI). BIOS bzImage boots take the initrd from iPXE directly.
        if (firmware != BootFirmware.Bios) args.Add($"initrd={settings.RamdiskInitrd}");
        if (!string.IsNullOrWhiteSpace(settings.KernelArgs)) args.Add(settings.KernelArgs.Trim());
        // Ironic's per-node knob for extra kernel arguments (driver_info.kernel_append_params).
        if (!string.IsNullOrWhiteSpace(nodeArgs)) args.Add(nodeArgs.Trim());

        return new BootPlan
        {
            Action = action, Firmware = firmware, Reason = reason,
            Kernel = settings.RamdiskKernel, Initrd = settings.RamdiskInitrd, KernelArgs = string.Join(' ', args),
        };
    }

    private static string? String(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
