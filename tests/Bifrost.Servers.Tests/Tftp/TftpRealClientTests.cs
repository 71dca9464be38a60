using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Tftp;

/// <summary>The real clients network boot meets (tftp-hpa, atftp, curl) against Bifrost's TFTP server on loopback.</summary>
public class TftpRealClientTests
{
    private TftpFixture _tftp = null!;

    [SetUp]
    public void SetUp() => _tftp = TftpFixture.Start();

    [TearDown]
    public async Task TearDown() => await _tftp.DisposeAsync();

    private Task<ProcessResult> TftpHpa(params string[] command) =>
        Run.ProcessAsync(Peers.Require("tftp", "tftp-hpa"), ["127.0.0.1", _tftp.Port.ToString(), "-m", "binary", "-c", .. command]);

    private Task<ProcessResult> Atftp(string file, string output, TimeSpan? timeout = null) =>
        Run.ProcessAsync(Peers.Require("atftp", "atftp"),
            ["--option", "blksize 1468", "--option", "windowsize 16", "-g", "-r", file, "-l", output, "127.0.0.1", _tftp.Port.ToString()], timeout);

    private Task<ProcessResult> Curl(string file, string output) =>
        Run.ProcessAsync(Peers.Require("curl", "curl"),
            ["-sS", "--tftp-blksize", "1468", "-o", output, $"tftp://127.0.0.1:{_tftp.Port}/{file}"]);

    [TestCase(100_003, TestName = "tftp-hpa (512-byte blocks) gets a byte-identical file")]
    [TestCase(512 * 64, TestName = "tftp-hpa gets a file of whole blocks (ends with an empty block)")]
    [TestCase(0, TestName = "tftp-hpa gets an empty file")]
    public async Task Tftp_hpa_download(int length)
    {
        var content = _tftp.AddFile("boot.bin", length);
        var output = _tftp.OutPath("boot.bin");
        var result = await TftpHpa("get", "boot.bin", output);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        AssertSameBytes(output, content);
    }

    [Test]
    public async Task Atftp_with_blksize_1468_and_windowsize_16_gets_a_byte_identical_file()
    {
        var content = _tftp.AddFile("ipxe.efi", 5 * 1024 * 1024 + 77);
        var output = _tftp.OutPath("ipxe.efi");
        var result = await Atftp("ipxe.efi", output);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        AssertSameBytes(output, content);
        Assert.That(_tftp.Logs.AllText, Does.Contain("blksize 1468 window 16"), "the options were negotiated, not ignored");
    }

    [Test]
    public async Task Curl_with_tftp_blksize_1468_gets_a_byte_identical_file()
    {
        var content = _tftp.AddFile("sub/undionly.kpxe", 3 * 1024 * 1024 + 1);
        var output = _tftp.OutPath("undionly.kpxe");
        var result = await Curl("sub/undionly.kpxe", output);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        AssertSameBytes(output, content);
        Assert.That(_tftp.Logs.AllText, Does.Contain("blksize 1468"));
    }

    [Test, Category("EndToEnd")]
    public async Task A_64_MiB_file_crosses_the_block_number_rollover_with_tftp_hpa()
    {
        // 64 MiB / 512 = 131,072 blocks: the 16-bit block number wraps twice.
        var content = _tftp.AddFile("big.img", 64 * 1024 * 1024);
        var output = _tftp.OutPath("big.img");
        var result = await Run.ProcessAsync(Peers.Require("tftp", "tftp-hpa"),
            ["127.0.0.1", _tftp.Port.ToString(), "-m", "binary", "-c", "get", "big.img", output], TimeSpan.FromMinutes(5));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        AssertSameBytes(output, content);
    }

    [Test, Category("EndToEnd")]
    public async Task A_64_MiB_file_crosses_the_rollover_with_atftp_windows()
    {
        var content = _tftp.AddFile("big.img", 64 * 1024 * 1024);
        var output = _tftp.OutPath("big.img");
        var result = await Atftp("big.img", output, TimeSpan.FromMinutes(5));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        AssertSameBytes(output, content);
    }

    /// <summary>Byte-identical, compared with SequenceEqual: NUnit's collection equality is far too slow at 64 MiB.</summary>
    private static void AssertSameBytes(string path, byte[] expected)
    {
        var actual = File.ReadAllBytes(path);
        var common = actual.AsSpan().CommonPrefixLength(expected);
        Assert.That((actual.Length, common), Is.EqualTo((expected.Length, expected.Length)),
            $"{path}: {actual.Length} bytes, first difference at offset {common}");
    }

    [Test]
    public async Task A_missing_file_is_error_1_for_every_client()
    {
        var hpa = await TftpHpa("get", "missing.efi", _tftp.OutPath("a"));
        Assert.That(hpa.Output, Does.Contain("Error code 1"), hpa.ToString());
        var curl = await Curl("missing.efi", _tftp.OutPath("b"));
        Assert.That(curl.ExitCode, Is.EqualTo(68), "curl's CURLE_TFTP_NOTFOUND: " + curl);
        var atftp = await Atftp("missing.efi", _tftp.OutPath("c"));
        Assert.That(atftp.ExitCode, Is.Not.Zero, atftp.ToString());
        Assert.That(atftp.Output, Does.Contain("file not found").IgnoreCase, atftp.ToString());
    }

    private static IEnumerable<TestCaseData> Escapes()
    {
        yield return new TestCaseData("../outside/secret").SetName("tftp-hpa asking for ../ gets error 2, not the file");
        yield return new TestCaseData("/etc/passwd").SetName("tftp-hpa asking for /etc/passwd gets error 2");
        yield return new TestCaseData("link-out").SetName("tftp-hpa asking for a symlink to outside gets error 2");
        yield return new TestCaseData("sub/../../outside/secret").SetName("tftp-hpa asking for sub/../../ gets error 2");
    }

    [TestCaseSource(nameof(Escapes))]
    public async Task Traversal_is_refused(string name)
    {
        File.WriteAllText(Path.Combine(_tftp.Outside, "secret"), "top secret");
        File.CreateSymbolicLink(Path.Combine(_tftp.Root, "link-out"), Path.Combine(_tftp.Outside, "secret"));
        Directory.CreateDirectory(Path.Combine(_tftp.Root, "sub"));
        var output = _tftp.OutPath("got");
        var result = await TftpHpa("get", name, output);
        Assert.That(result.Output, Does.Contain("Error code 2"), result.ToString());
        Assert.That(File.Exists(output) ? File.ReadAllText(output) : "", Does.Not.Contain("top secret"));
    }

    [Test]
    public async Task A_write_request_is_refused_with_error_2()
    {
        var local = _tftp.OutPath("upload.bin");
        File.WriteAllText(local, "payload");
        var result = await TftpHpa("put", local, "upload.bin");
        Assert.That(result.Output, Does.Contain("Error code 2"), result.ToString());
        Assert.That(File.Exists(Path.Combine(_tftp.Root, "upload.bin")), Is.False);
    }

    [Test]
    public async Task Netascii_mode_is_refused_with_a_clear_error()
    {
        _tftp.AddFile("boot.bin", 1000);
        var result = await Run.ProcessAsync(Peers.Require("tftp", "tftp-hpa"),
            ["127.0.0.1", _tftp.Port.ToString(), "-m", "netascii", "-c", "get", "boot.bin", _tftp.OutPath("x")]);
        Assert.That(result.Output, Does.Contain("Error code 4").And.Contain("use octet"), result.ToString());
    }
}
