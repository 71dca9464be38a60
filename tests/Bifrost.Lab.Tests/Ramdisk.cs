using System.Security.Cryptography;
using System.Text;

namespace Bifrost.Lab.Tests;

/// <summary>
/// Where the rack tests keep the deploy ramdisk: built once by lab.sh (packaging/ramdisk/build.sh) into a directory
/// named after a hash of packaging/ramdisk, so later runs reuse it and any change to the ramdisk sources rebuilds it.
/// </summary>
internal static class Ramdisk
{
    public static string Directory()
    {
        var sources = Path.Combine(Repo.Root, "packaging", "ramdisk");
        if (!File.Exists(Path.Combine(sources, "build.sh")))
            Assert.Fail("packaging/ramdisk/build.sh is missing: the rack cannot build the deploy ramdisk");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in System.IO.Directory.GetFiles(sources, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(sources, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Path.Combine("/var/tmp", $"bifrost-lab-ramdisk-{Convert.ToHexStringLower(hash.GetHashAndReset())[..16]}");
    }
}
