using Bifrost.Protocols.Dhcp;

namespace Bifrost.Servers.Dhcp;

/// <summary>What a netboot client is told to boot: a file name or URL, and the vendor class to echo (PXE/HTTP boot).</summary>
public sealed record BootAnswer(string File, string? VendorClass, bool Ipxe)
{
    public const string BiosFile = "undionly.kpxe";

    /// <summary>
    /// The boot rules, first match wins:
    /// iPXE (user class 'iPXE') → the node's script URL (it has left the ROM; never hand it an NBP again, or it loops);
    /// UEFI HTTP boot (vendor class 'HTTPClient' or arch 15/16/19) → an http URL of the EFI iPXE, 'HTTPClient' echoed;
    /// BIOS (arch 0) → undionly.kpxe; x64 UEFI (7, 9) → ipxe.efi or snponly.efi; arm64 (11) → the arm64 iPXE if
    /// configured. Anything else (no PXE/HTTP/iPXE markers, or an arch we have no binary for) → null.
    /// </summary>
    public static BootAnswer? For(PxeClient client, string mac, DhcpResponderSettings s)
    {
        if (client.IsIpxe)
            return new BootAnswer($"{s.BootBaseUrl}/boot/{mac}.ipxe?platform={Platform(client.Arch)}", client.IsPxe ? "PXEClient" : null, Ipxe: true);
        if (client.IsHttpBoot)
        {
            var file = client.Arch is ClientArch.Arm64UefiHttp ? s.Arm64BootFile : s.UefiBootFile;
            // UEFI HTTP boot only accepts an offer that echoes "HTTPClient" in option 60 (UEFI 2.x §24.7.2).
            return file is null ? null : new BootAnswer($"{s.BootBaseUrl}{DhcpResponderSettings.HttpBootPath}{file}", "HTTPClient", Ipxe: false);
        }
        if (!client.IsNetboot) return null;
        // "some PXE ROMs omit option 93": PxeClient falls back to the vendor class; no arch at all means a BIOS ROM.
        var nbp = (client.Arch ?? ClientArch.X86Bios) switch
        {
            ClientArch.X86Bios => BiosFile,
            ClientArch.X64Uefi or ClientArch.EbcUefi => s.UefiBootFile,
            ClientArch.Arm64Uefi => s.Arm64BootFile,
            _ => null,
        };
        return nbp is null ? null : new BootAnswer(nbp, client.IsPxe ? "PXEClient" : null, Ipxe: false);
    }

    /// <summary>
    /// The firmware the script is for, so the boot planner picks sanboot (BIOS) or exit (UEFI) for an active node even
    /// when the node names no boot mode: from the arch iPXE reports in option 93, else iPXE's own <c>${platform}</c>
    /// setting, which iPXE expands in the file name before fetching it.
    /// </summary>
    private static string Platform(ClientArch? arch) => arch switch
    {
        ClientArch.X86Bios => "pcbios",
        ClientArch.X64Uefi or ClientArch.EbcUefi or ClientArch.Arm64Uefi => "efi",
        _ => "${platform}",
    };
}
