using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.HttpBoot;

/// <summary>
/// Fills the TFTP root with iPXE from Debian's <c>ipxe</c> package at start-up, so DHCP can hand PXE ROMs and UEFI
/// firmware a network boot program without the operator copying files. A file is copied only when missing or changed
/// (size or mtime differ), through a temporary name and a rename so a TFTP transfer never sees half a file. Files the
/// package does not ship are skipped; no package at all is a warning, not a failure (an operator may provide
/// their own binaries).
/// </summary>
public static class IpxeBinaries
{
    /// <summary>Where Debian's ipxe package puts its binaries.</summary>
    public const string DebianSource = "/usr/lib/ipxe";

    /// <summary>
    /// (path in the package, name in the TFTP root). Debian 12's ipxe (1.0.0+git-20190125) ships x86 only:
    /// undionly.kpxe (BIOS, chains through the NIC's UNDI), ipxe.efi (x64 UEFI, own NIC drivers), snponly.efi (x64 UEFI
    /// through the firmware's SNP). Newer packages add <c>arm64-efi/</c>; installed as <c>arm64/…</c> when present.
    /// </summary>
    public static readonly IReadOnlyList<(string Source, string Target)> Files =
    [
        ("undionly.kpxe", "undionly.kpxe"),
        ("undionly.kkpxe", "undionly.kkpxe"),
        ("ipxe.pxe", "ipxe.pxe"),
        ("ipxe.efi", "ipxe.efi"),
        ("snponly.efi", "snponly.efi"),
        ("arm64-efi/ipxe.efi", "arm64/ipxe.efi"),
        ("arm64-efi/snponly.efi", "arm64/snponly.efi"),
    ];

    /// <summary>Copies what is missing or changed; returns the target names written.</summary>
    public static IReadOnlyList<string> Install(string source, string tftpDir, ILogger log)
    {
        var installed = new List<string>();
        if (!Files.Any(f => File.Exists(Path.Combine(source, f.Source))))
        {
            Log.NoSource(log, source, tftpDir);
            return installed;
        }
        Directory.CreateDirectory(tftpDir);
        foreach (var (from, to) in Files)
        {
            var src = new FileInfo(Path.Combine(source, from));
            if (!src.Exists) continue;
            var dst = new FileInfo(Path.Combine(tftpDir, to));
            if (dst.Exists && dst.Length == src.Length && dst.LastWriteTimeUtc == src.LastWriteTimeUtc) continue;
            try
            {
                Directory.CreateDirectory(dst.DirectoryName!);
                var tmp = dst.FullName + $".{Environment.ProcessId}.tmp";
                File.Copy(src.FullName, tmp, overwrite: true);
                File.SetLastWriteTimeUtc(tmp, src.LastWriteTimeUtc);
                File.Move(tmp, dst.FullName, overwrite: true);
                installed.Add(to);
                Log.Installed(log, to, tftpDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.InstallFailed(log, to, tftpDir, e.Message);
            }
        }
        return installed;
    }
}
