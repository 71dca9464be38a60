using System.Text.Json;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>The agent's pure shell functions: root-disk choice, JSON string escaping, command and cmdline parsing.</summary>
public sealed class AgentFunctionTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("bifrost-agent-fn");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private AgentShell.Result Run(string script, Dictionary<string, string>? env = null)
    {
        var sys = Path.Combine(_dir.Path, "root");
        if (!Directory.Exists(sys)) FakeSysfs.Create(sys, efi: false);
        env ??= [];
        env["SYSROOT"] = sys;
        return AgentShell.Run(script, Path.Combine(_dir.Path, "state"), env);
    }

    // Disks in the fake tree: sda 8 GiB SER-B, sdc 2 GiB SER-C, vda 20 GiB SER-A, sdb 16 GiB removable, loop0.
    private static IEnumerable<TestCaseData> RootDiskCases()
    {
        yield return new TestCaseData("", "", "", "/dev/sda").SetName("no hints → the smallest disk of at least 4 GiB (sdc has 2)");
        yield return new TestCaseData("/dev/vda", "", "", "/dev/vda").SetName("name hint /dev/vda → vda");
        yield return new TestCaseData("vda", "", "", "/dev/vda").SetName("name hint without /dev/ → vda");
        yield return new TestCaseData("", "20", "", "/dev/vda").SetName("size hint 20 GiB → vda");
        yield return new TestCaseData("", "", "SER-A", "/dev/vda").SetName("serial hint → the disk with that serial");
        yield return new TestCaseData("", "2", "", "/dev/sdc").SetName("a size hint may pick a disk under 4 GiB");
        yield return new TestCaseData("sda", "8", "SER-B", "/dev/sda").SetName("all hints must match: sda");
        yield return new TestCaseData("sda", "20", "", null).SetName("hints that contradict → no disk");
        yield return new TestCaseData("sdb", "", "", null).SetName("a removable disk is never chosen");
        yield return new TestCaseData("", "", "NOPE", null).SetName("unknown serial → no disk");
    }

    [TestCaseSource(nameof(RootDiskCases))]
    public void Root_disk_choice(string name, string sizeGb, string serial, string? expected)
    {
        var r = Run("choose_root_disk \"$N\" \"$S\" \"$SER\"", new() { ["N"] = name, ["S"] = sizeGb, ["SER"] = serial });
        if (expected is null)
        {
            Assert.That(r.ExitCode, Is.Not.Zero);
            Assert.That(r.Stderr, Does.Contain("no disk matches the root device hints"));
        }
        else
        {
            Assert.That(r.ExitCode, Is.Zero, r.Stderr);
            Assert.That(r.Stdout.Trim(), Is.EqualTo(expected));
        }
    }

    private static IEnumerable<TestCaseData> JsonCases()
    {
        yield return new TestCaseData("plain", "plain").SetName("plain text is unchanged");
        yield return new TestCaseData("", "").SetName("empty string");
        yield return new TestCaseData("x", "x").SetName("a lone x (the escaper's sentinel) survives");
        yield return new TestCaseData("say \"hi\"", "say \"hi\"").SetName("double quotes");
        yield return new TestCaseData("C:\\path\\", "C:\\path\\").SetName("backslashes, also a trailing one");
        yield return new TestCaseData("a\nb\n", "a\nb\n").SetName("newlines, also a trailing one");
        yield return new TestCaseData("\n\n", "\n\n").SetName("only newlines");
        yield return new TestCaseData("t\tr\r", "t\tr\r").SetName("tab and carriage return");
        yield return new TestCaseData("\u0001\u001b[0m\u001f", "\u0001\u001b[0m\u001f").SetName("control characters as \\u00XX");
        yield return new TestCaseData("%s %d $(touch /tmp/pwned) `id` $HOME", "%s %d $(touch /tmp/pwned) `id` $HOME")
            .SetName("printf formats and shell syntax are data");
        yield return new TestCaseData("caf\u00e9", "caf??").SetName("bytes above 0x7e become ? (valid UTF-8 whatever sysfs holds)");
    }

    [TestCaseSource(nameof(JsonCases))]
    public void Json_string_escaping(string input, string expected)
    {
        var r = Run("json_str \"$V\"", new() { ["V"] = input });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        Assert.That(JsonSerializer.Deserialize<string>(r.Stdout), Is.EqualTo(expected), r.Stdout);
    }

    [Test]
    public void Command_parsing_keeps_values_with_equals_ignores_unknown_keys_and_never_evaluates()
    {
        var answer = Path.Combine(_dir.Path, "answer");
        var pwned = Path.Combine(_dir.Path, "pwned");
        File.WriteAllText(answer,
            "command=write_image\r\n" +
            "id=c7\r\n" +
            "future_key=whatever=1\n" +
            $"image_url=http://10.0.0.1:8080/images/a.raw?x=1&y=2==\n" +
            $"image_hash=$(touch {pwned})\n" +
            "not a key value line\n" +
            "root_device_serial=S N=1\n" +
            "image_format=zstd");   // the last line has no newline
        var r = Run("parse_command \"$F\"; printf '%s|' \"$cmd_command\" \"$cmd_id\" \"$cmd_image_url\" \"$cmd_image_hash\" " +
                    "\"$cmd_root_device_serial\" \"$cmd_image_format\" \"$cmd_interval\"", new() { ["F"] = answer });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        Assert.That(r.Stdout.Split('|'), Is.EqualTo(new[]
        {
            "write_image", "c7", "http://10.0.0.1:8080/images/a.raw?x=1&y=2==", $"$(touch {pwned})", "S N=1", "zstd", "", "",
        }));
        Assert.That(File.Exists(pwned), Is.False, "a value is never evaluated");
    }

    [TestCase("BOOTIF=01-52-54-00-AB-CD-EF console=ttyS0", "52:54:00:ab:cd:ef", TestName = "BOOTIF in PXELINUX form 01-… → lower-case MAC")]
    [TestCase("quiet BOOTIF=52:54:00:ab:cd:ef", "52:54:00:ab:cd:ef", TestName = "BOOTIF as a plain MAC")]
    [TestCase("quiet", "", TestName = "no BOOTIF → empty")]
    public void Bootif_from_the_kernel_command_line(string cmdline, string mac)
    {
        var r = Run("bootif_mac \"$C\"", new() { ["C"] = cmdline });
        Assert.That(r.Stdout, Is.EqualTo(mac));
    }

    [Test]
    public void Kernel_arguments_are_read_by_exact_key()
    {
        var r = Run("cmdline_arg \"$C\" bifrost.api; echo; cmdline_arg \"$C\" bifrost.node",
            new() { ["C"] = "bifrost.apix=no bifrost.api=http://10.0.0.1:6385 bifrost.node=1234-abcd BOOTIF=01-aa" });
        Assert.That(r.Stdout, Is.EqualTo("http://10.0.0.1:6385\n1234-abcd"));
    }
}
