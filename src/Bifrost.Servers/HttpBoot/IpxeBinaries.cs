using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.HttpBoot;

/// <summary>
/// Fills the TFTP root with iPXE from Debian's <c>ipxe</c> package at start-up, so DHCP can hand PXE ROMs and UEFI
/// firmware a network boot program without the operator copying files. A file is copied when missing, and updated when
/// the package's copy changed (an upgrade) — but only if the file in the TFTP root is still the one Bifrost put there
/// (recorded in <c>tftp.installed</c> next to the root, outside what TFTP serves): an operator's own build (say, an
/// iPXE with an embedded script) is never overwritten. Copies go through a temporary name and a rename so a TFTP
/// transfer never sees half a file. Files the package does not ship are skipped; no package at all is a warning, not a
/// failure (an operator may provide their own binaries).
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
        var manifestPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(tftpDir)) + ".installed";
        var manifest = ReadManifest(manifestPath);
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
            if (dst.Exists && Stamp(dst) == Stamp(src))
            {
                manifest[to] = Stamp(dst);
                continue;
            }
            if (dst.Exists && (!manifest.TryGetValue(to, out var ours) || ours != Stamp(dst)))
            {
                Log.KeptOwn(log, to, tftpDir);
                continue;
            }
            try
            {
                Directory.CreateDirectory(dst.DirectoryName!);
                var tmp = dst.FullName + $".{Environment.ProcessId}.tmp";
                File.Copy(src.FullName, tmp, overwrite: true);
                File.SetLastWriteTimeUtc(tmp, src.LastWriteTimeUtc);
                File.Move(tmp, dst.FullName, overwrite: true);
                manifest[to] = Stamp(new FileInfo(dst.FullName));
                installed.Add(to);
                Log.Installed(log, to, tftpDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.InstallFailed(log, to, tftpDir, e.Message);
            }
        }
        WriteManifest(manifestPath, manifest, log);
        return installed;
    }

    private static string Stamp(FileInfo f) => $"{f.Length} {f.LastWriteTimeUtc.Ticks}";

    /// <summary>Lines "NAME SIZE MTIME-TICKS" of the files Bifrost installed; unreadable or absent → empty.</summary>
    private static Dictionary<string, string> ReadManifest(string path)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (!File.Exists(path)) return entries;
            foreach (var line in File.ReadAllLines(path))
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2) entries[parts[0]] = parts[1];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without the record every differing file counts as the operator's: nothing is overwritten.
        }
        return entries;
    }

    private static void WriteManifest(string path, Dictionary<string, string> manifest, ILogger log)
    {
        try
        {
            File.WriteAllLines(path, manifest.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} {e.Value}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.InstallFailed(log, Path.GetFileName(path), Path.GetDirectoryName(path) ?? "", e.Message);
        }
    }
}
