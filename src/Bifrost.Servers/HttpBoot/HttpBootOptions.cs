using System.Net;
using Bifrost.Domain.Boot;

namespace Bifrost.Servers.HttpBoot;

/// <summary>The HTTP boot server's settings (<c>Bifrost:Boot:*</c> and the state directory).</summary>
public sealed record HttpBootOptions
{
    /// <summary>The boot listener; null = HTTP boot off.</summary>
    public IPEndPoint? Listen { get; init; }
    /// <summary>StateDir/images: instance images the agent streams.</summary>
    public required string ImagesDir { get; init; }
    /// <summary>StateDir/ramdisk: the deploy ramdisk's kernel and initramfs.</summary>
    public required string RamdiskDir { get; init; }
    /// <summary>StateDir/tftp: the TFTP root (iPXE binaries), also served over HTTP.</summary>
    public required string TftpDir { get; init; }
    public BootSettings Planner { get; init; } = new();
    /// <summary>The API URL put on the ramdisk's command line; null = http://(the address the node reached us on):ApiPort.</summary>
    public string? ApiUrl { get; init; }
    /// <summary>The API listener's port, for the default <see cref="ApiUrl"/>.</summary>
    public int ApiPort { get; init; } = 6385;
    /// <summary>Answer plain whole-file GETs with sendfile(2) before Kestrel (<see cref="SendfileConnections"/>);
    /// false = every request through Kestrel (to compare, or if a kernel's sendfile misbehaves).</summary>
    public bool Sendfile { get; init; } = true;
}
