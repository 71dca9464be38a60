namespace Bifrost.Domain.Boot;

/// <summary>The firmware that asks for a boot script, as iPXE reports it in <c>${platform}</c>.</summary>
public enum BootFirmware
{
    /// <summary>Not said: the planner falls back to the node's boot mode.</summary>
    Unknown,
    /// <summary>iPXE's <c>pcbios</c> platform (undionly.kpxe, a NIC option ROM on BIOS).</summary>
    Bios,
    /// <summary>iPXE's <c>efi</c> platform (ipxe.efi, snponly.efi, a NIC option ROM under UEFI).</summary>
    Uefi,
}

public static class BootFirmwares
{
    /// <summary>iPXE's <c>${platform}</c>: <c>pcbios</c> or <c>efi</c> (https://ipxe.org/cfg/platform).</summary>
    public static BootFirmware FromPlatform(string? platform) => platform?.Trim().ToLowerInvariant() switch
    {
        "pcbios" or "bios" => BootFirmware.Bios,
        "efi" or "uefi" => BootFirmware.Uefi,
        _ => BootFirmware.Unknown,
    };
}
