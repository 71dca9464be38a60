using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// write_configdrive refuses disks it must not touch, before touching them (the partition table is read from a
/// file-backed disk; the config drive comes from a real HTTP server). The success path is in <see cref="RamdiskBootTests"/>.
/// </summary>
public sealed class AgentConfigDriveTests
{
    private static IEnumerable<TestCaseData> Refusals()
    {
        yield return new TestCaseData((Action<byte[]>)(mbr => { mbr[446 + 4] = 0xEE; Signature(mbr); }),
            "has a GPT partition table: config drive partitions are made on MBR disks only").SetName("a GPT disk (protective MBR) is refused clearly");
        yield return new TestCaseData((Action<byte[]>)(_ => { }),
            "has no MBR partition table").SetName("an image without a partition table is refused");
        yield return new TestCaseData((Action<byte[]>)(mbr =>
            {
                for (var i = 0; i < 4; i++)
                {
                    mbr[446 + 16 * i + 4] = 0x83;
                    BitConverter.TryWriteBytes(mbr.AsSpan(446 + 16 * i + 8), 2048u * (uint)(i + 1));
                    BitConverter.TryWriteBytes(mbr.AsSpan(446 + 16 * i + 12), 2048u);
                }
                Signature(mbr);
            }),
            "has no free primary partition slot").SetName("an MBR with four partitions has no slot left");
    }

    private static void Signature(byte[] mbr)
    {
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
    }

    [TestCaseSource(nameof(Refusals))]
    public void Refused(Action<byte[]> layout, string error)
    {
        using var dir = new TempDirectory("bifrost-agent-cd");
        var www = Directory.CreateDirectory(Path.Combine(dir.Path, "www")).FullName;
        File.WriteAllBytes(Path.Combine(www, "cd.tar"), new byte[10240]);
        var disk = Path.Combine(dir.Path, "dev", "dev", "vda");
        Directory.CreateDirectory(Path.GetDirectoryName(disk)!);
        var image = new byte[8 << 20];
        layout(image);
        File.WriteAllBytes(disk, image);
        using var server = new PythonHttpServer(www);

        var r = AgentShell.Run("mkdir -p \"$CMD\"; HTTP_DIR=$CMD; write_configdrive \"$DISK\" \"$URL\" tar",
            Path.Combine(dir.Path, "state"), new Dictionary<string, string> { ["DISK"] = disk, ["URL"] = server.Url("cd.tar").ToString() });
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.Stderr, Does.Contain(error));
        Assert.That(File.ReadAllBytes(disk), Is.EqualTo(image), "the disk is not touched");
    }
}
