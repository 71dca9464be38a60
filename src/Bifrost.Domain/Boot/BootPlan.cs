namespace Bifrost.Domain.Boot;

/// <summary>What the planner decided a node boots next.</summary>
public enum BootAction
{
    /// <summary>The deploy ramdisk (a known node being deployed, cleaned or inspected).</summary>
    DeployRamdisk,
    /// <summary>The same ramdisk for a MAC Bifrost does not know, so the agent can enrol it.</summary>
    DiscoveryRamdisk,
    /// <summary>Boot the local disk (an active node that PXE-booted anyway: no deploy loop).</summary>
    LocalDisk,
    /// <summary>Hand back to the firmware's next boot device.</summary>
    Exit,
    /// <summary>The plan cannot be carried out (ramdisk files missing): the script says why.</summary>
    Error,
}

/// <summary>
/// The planner's answer: pure data, rendered to an iPXE script by <see cref="BootScripts"/> and summarised in the node's
/// boot timeline by <see cref="Summary"/>.
/// </summary>
public sealed record BootPlan
{
    public required BootAction Action { get; init; }
    /// <summary>The firmware the script is for (the request's, else the node's boot mode).</summary>
    public required BootFirmware Firmware { get; init; }
    /// <summary>Why, in words: "state wait call-back", "unknown MAC, discovery enabled".</summary>
    public required string Reason { get; init; }
    /// <summary>Kernel file name under the ramdisk directory (served as /ramdisk/NAME).</summary>
    public string? Kernel { get; init; }
    /// <summary>Initrd file name under the ramdisk directory.</summary>
    public string? Initrd { get; init; }
    /// <summary>The kernel command line, all arguments joined by spaces.</summary>
    public string? KernelArgs { get; init; }
    /// <summary>For <see cref="BootAction.Error"/>: what is wrong, for the console and the timeline.</summary>
    public string? Error { get; init; }

    /// <summary>One line for the timeline and logs: "deploy ramdisk (state wait call-back)".</summary>
    public string Summary => Action switch
    {
        BootAction.DeployRamdisk => $"deploy ramdisk ({Reason})",
        BootAction.DiscoveryRamdisk => $"discovery ramdisk ({Reason})",
        BootAction.LocalDisk => $"local disk ({Reason})",
        BootAction.Exit => $"exit to next boot device ({Reason})",
        BootAction.Error => $"error: {Error} ({Reason})",
        _ => Reason,
    };
}
