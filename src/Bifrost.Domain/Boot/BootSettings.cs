using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Boot;

/// <summary>The operator's boot settings (<c>Bifrost:Boot:*</c>) the planner reads.</summary>
public sealed record BootSettings
{
    /// <summary>Kernel of the deploy ramdisk, a file name in StateDir/ramdisk.</summary>
    public string RamdiskKernel { get; init; } = "bifrost-agent.kernel";
    /// <summary>Initramfs of the deploy ramdisk, a file name in StateDir/ramdisk.</summary>
    public string RamdiskInitrd { get; init; } = "bifrost-agent.initramfs";
    /// <summary>Boot unknown MACs into the ramdisk (discovery) instead of sending them to their next boot device.</summary>
    public bool Discovery { get; init; }
    /// <summary>Extra kernel arguments for every ramdisk boot (e.g. <c>console=ttyS0,115200</c>).</summary>
    public string KernelArgs { get; init; } = "";
}

/// <summary>One request for a boot script.</summary>
public sealed record BootRequest
{
    /// <summary>The requesting MAC, normalised (aa:bb:cc:dd:ee:ff).</summary>
    public required string Mac { get; init; }
    /// <summary>The node owning that MAC, or null when no port has it.</summary>
    public Node? Node { get; init; }
    public BootFirmware Firmware { get; init; }
    /// <summary>The API URL the agent calls back on (<c>bifrost.api=</c>).</summary>
    public required string ApiUrl { get; init; }
    /// <summary>Whether a file exists in the ramdisk directory; supplied by the server so the planner stays pure.</summary>
    public required Func<string, bool> RamdiskFileExists { get; init; }
}
