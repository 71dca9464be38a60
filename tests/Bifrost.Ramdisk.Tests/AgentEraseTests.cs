using System.Text.Json;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// The cleaning commands on file-backed "disks" (DEVROOT/dev/NAME are regular files, SYSROOT gives their sizes): the
/// clean report's shape and what is zeroed. On a file, secure discard fails, so erase_devices falls back to overwriting.
/// </summary>
public sealed class AgentEraseTests
{
    private TempDirectory _dir = null!;
    private string _sys = null!;
    private string _dev = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory("bifrost-agent-erase");
        _sys = Path.Combine(_dir.Path, "sys-root");
        _dev = Path.Combine(_dir.Path, "dev-root");
        Directory.CreateDirectory(Path.Combine(_dev, "dev"));
        Disk("sda", 6 << 20, removable: false);
        Disk("sdb", 3 << 20, removable: false);
        Disk("sdc", 3 << 20, removable: true);   // a USB stick: never touched
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private void Disk(string name, int bytes, bool removable)
    {
        var block = Path.Combine(_sys, "sys", "block", name);
        Directory.CreateDirectory(block);
        File.WriteAllText(Path.Combine(block, "size"), $"{bytes / 512}\n");
        File.WriteAllText(Path.Combine(block, "removable"), removable ? "1\n" : "0\n");
        File.WriteAllText(Path.Combine(block, "serial"), $"SER-{name}\n");
        File.WriteAllBytes(Path.Combine(_dev, "dev", name), Enumerable.Repeat((byte)0xAB, bytes).ToArray());
    }

    private (string Status, JsonElement Result, string Message) Erase(string mode)
    {
        var state = Path.Combine(_dir.Path, "state");
        var r = AgentShell.Run($"mkdir -p \"$CMD\"; run_erase {mode}; cat \"$CMD/status\"; echo; cat \"$CMD/message\" 2>/dev/null; echo; cat \"$CMD/result\"",
            state, new Dictionary<string, string> { ["SYSROOT"] = _sys, ["DEVROOT"] = _dev });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        var lines = r.Stdout.Split('\n', 3);
        return (lines[0], JsonDocument.Parse(lines[2]).RootElement.Clone(), lines[1]);
    }

    private byte[] DiskBytes(string name) => File.ReadAllBytes(Path.Combine(_dev, "dev", name));

    [Test]
    public void Erase_devices_metadata_zeroes_the_first_and_last_MiB_of_every_fixed_disk_and_reports_each()
    {
        var (status, result, _) = Erase("metadata");
        Assert.That(status, Is.EqualTo("succeeded"));
        var disks = result.GetProperty("disks").EnumerateArray().ToList();
        Assert.That(disks.Select(d => d.GetProperty("device").GetString()),
            Is.EqualTo(new[] { $"{_dev}/dev/sda", $"{_dev}/dev/sdb" }), "the removable sdc is left alone");
        foreach (var d in disks)
        {
            Assert.That(d.GetProperty("method").GetString(), Is.EqualTo("metadata"));
            Assert.That(d.GetProperty("result").GetString(), Is.EqualTo("ok"));
            Assert.That(d.GetProperty("bytes").GetInt64(), Is.EqualTo(2L << 20));
            Assert.That(d.GetProperty("duration_s").GetDouble(), Is.GreaterThanOrEqualTo(0));
        }
        Assert.That(disks[0].GetProperty("serial").GetString(), Is.EqualTo("SER-sda"));
        var sda = DiskBytes("sda");
        Assert.That(sda.AsSpan(0, 1 << 20).ToArray().All(b => b == 0), Is.True, "first MiB");
        Assert.That(sda.AsSpan(sda.Length - (1 << 20)).ToArray().All(b => b == 0), Is.True, "last MiB");
        Assert.That(sda.AsSpan(1 << 20, 4 << 20).ToArray().All(b => b == 0xAB), Is.True, "the middle is untouched");
        Assert.That(DiskBytes("sdc").All(b => b == 0xAB), Is.True);
    }

    [Test]
    public void Erase_devices_overwrites_whole_disks_when_secure_discard_is_not_supported()
    {
        var (status, result, _) = Erase("full");
        Assert.That(status, Is.EqualTo("succeeded"));
        var disks = result.GetProperty("disks").EnumerateArray().ToList();
        Assert.That(disks.Select(d => d.GetProperty("method").GetString()), Is.EqualTo(new[] { "overwrite", "overwrite" }));
        Assert.That(disks[0].GetProperty("bytes").GetInt64(), Is.EqualTo(6L << 20));
        Assert.That(DiskBytes("sda").All(b => b == 0), Is.True);
        Assert.That(DiskBytes("sdb").All(b => b == 0), Is.True);
        Assert.That(DiskBytes("sdc").All(b => b == 0xAB), Is.True);
    }

    [Test]
    public void A_disk_that_cannot_be_written_fails_the_command_and_is_named_in_the_report()
    {
        // A directory where the device should be: dd cannot open it for writing.
        File.Delete(Path.Combine(_dev, "dev", "sdb"));
        Directory.CreateDirectory(Path.Combine(_dev, "dev", "sdb"));
        var (status, result, message) = Erase("metadata");
        Assert.That(status, Is.EqualTo("failed"));
        Assert.That(message, Does.Contain($"{_dev}/dev/sdb"));
        var sdb = result.GetProperty("disks").EnumerateArray().Single(d => d.GetProperty("device").GetString()!.EndsWith("sdb", StringComparison.Ordinal));
        Assert.That(sdb.GetProperty("result").GetString(), Is.EqualTo("failed"));
        Assert.That(sdb.GetProperty("error").GetString(), Does.Contain("zeroing the first and last MiB failed"));
    }
}
