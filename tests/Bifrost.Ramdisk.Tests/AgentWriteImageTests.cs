using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// write_image on the host (packaging/ramdisk/agent/commands.sh under the host's busybox): the image streamed from
/// <see cref="FaultyHttpServer"/> straight off the socket onto a file-backed disk (DEVROOT/dev/vda; SYSROOT says it has
/// 5 GiB, so the default root-disk rule picks it). What the fast raw path must keep: the hash of exactly the bytes
/// received, a short body retried, progress and the byte count reported, compressed images still written. Twice: with
/// the ramdisk's own tools (GNU tee and nettle-hash in AGENT_TOOLS, as build.sh ships them) and with busybox alone.
/// </summary>
[TestFixture("ramdisk tools")]
[TestFixture("busybox only")]
public sealed class AgentWriteImageTests(string tools)
{
    private const int DiskBytes = 12 << 20;
    private TempDirectory _dir = null!;
    private string _sys = null!;
    private string _dev = null!;
    private string _tools = null!;
    private string Disk => Path.Combine(_dev, "dev", "vda");

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory("bifrost-agent-write");
        _sys = Path.Combine(_dir.Path, "sys-root");
        _dev = Path.Combine(_dir.Path, "dev-root");
        var block = Path.Combine(_sys, "sys", "block", "vda");
        Directory.CreateDirectory(block);
        File.WriteAllText(Path.Combine(block, "size"), $"{(5L << 30) / 512}\n");
        File.WriteAllText(Path.Combine(block, "removable"), "0\n");
        Directory.CreateDirectory(Path.Combine(_dev, "dev"));
        File.WriteAllBytes(Disk, Enumerable.Repeat((byte)0xAB, DiskBytes).ToArray());
        _tools = Path.Combine(_dir.Path, "tools");
        if (tools == "ramdisk tools")
        {
            Directory.CreateDirectory(_tools);
            File.CreateSymbolicLink(Path.Combine(_tools, "nettle-hash"), Peers.Require("nettle-hash", "nettle-bin"));
            File.CreateSymbolicLink(Path.Combine(_tools, "tee"), "/usr/bin/tee");   // coreutils: GNU tee
        }
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static byte[] RandomImage(int seed, int size)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    private sealed record Outcome(string Status, string Message, JsonElement? Result, string Log, string[] Progress);

    /// <summary>Runs write_image in the background and samples its progress files until it ends.</summary>
    private Outcome WriteImage(string url, string format, string algo, string hash, long size = 0)
    {
        var state = Path.Combine(_dir.Path, "state");
        var r = AgentShell.Run(
            "mkdir -p \"$CMD\"; HTTP_DIR=$CMD; cmd_image_url=$URL; cmd_image_format=$FORMAT; cmd_image_hash_algo=$ALGO; " +
            "cmd_image_hash=$HASH; cmd_image_size=$SIZE; cmd_root_device_name=; cmd_root_device_size_gb=; " +
            "cmd_root_device_serial=; cmd_configdrive_url=; " +
            "run_write_image > \"$AGENT_STATE/run.out\" 2>&1 & p=$!; " +
            "while kill -0 $p 2>/dev/null; do echo \"$(cat \"$CMD/stage\" 2>/dev/null) $(cat \"$CMD/done\" 2>/dev/null) " +
            "$(cat \"$CMD/total\" 2>/dev/null)\" >> \"$AGENT_STATE/progress\"; sleep 0.2; done; wait $p; " +
            "printf '%s\\n' \"$(cat \"$CMD/status\")\"; printf '%s\\n' \"$(cat \"$CMD/message\" 2>/dev/null)\"; cat \"$CMD/result\" 2>/dev/null; true",
            state, new Dictionary<string, string>
            {
                ["SYSROOT"] = _sys, ["DEVROOT"] = _dev, ["AGENT_TOOLS"] = _tools, ["URL"] = url, ["FORMAT"] = format, ["ALGO"] = algo, ["HASH"] = hash,
                ["SIZE"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, timeoutSeconds: 120);
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        var lines = r.Stdout.Split('\n', 3);
        var log = File.Exists(Path.Combine(state, "agent.log")) ? File.ReadAllText(Path.Combine(state, "agent.log")) : "";
        var progressFile = Path.Combine(state, "progress");
        var progress = File.Exists(progressFile) ? File.ReadAllLines(progressFile) : [];
        JsonElement? result = lines.Length > 2 && lines[2].Trim().Length > 0 ? JsonDocument.Parse(lines[2]).RootElement.Clone() : null;
        return new Outcome(lines[0], lines.Length > 1 ? lines[1] : "", result, log, progress);
    }

    private byte[] DiskStart(int count) => File.ReadAllBytes(Disk).AsSpan(0, count).ToArray();

    [Test]
    public void A_raw_image_is_written_hashed_and_counted_and_the_rest_of_the_disk_is_untouched()
    {
        var image = RandomImage(1, (3 << 20) + 4097);
        using var server = new FaultyHttpServer(new HttpAnswer(200, image));
        var o = WriteImage(server.Url("images/a.raw"), "raw", "sha256", Hex(SHA256.HashData(image)), image.Length);
        Assert.That(o.Status, Is.EqualTo("succeeded"), $"{o.Message}\n{o.Log}");
        Assert.That(o.Result!.Value.GetProperty("bytes_written").GetInt64(), Is.EqualTo(image.Length));
        Assert.That(o.Result!.Value.GetProperty("hash").GetString(), Is.EqualTo(Hex(SHA256.HashData(image))));
        Assert.That(DiskStart(image.Length), Is.EqualTo(image));
        var disk = File.ReadAllBytes(Disk);
        Assert.That(disk.Length, Is.EqualTo(DiskBytes), "a disk is never truncated");
        Assert.That(disk.AsSpan(image.Length).ToArray().All(b => b == 0xAB), Is.True, "bytes after the image are untouched");
        Assert.That(server.Heads.Single(), Does.StartWith("GET /images/a.raw HTTP/1.0\r\n").And.Contain("\r\nHost: 127.0.0.1:"));
    }

    [Test]
    public void Progress_reports_the_bytes_received_while_the_image_streams()
    {
        var image = RandomImage(2, 2 << 20);
        // 32 chunks of 64 KiB, 100 ms apart: about 3 s, long enough for the once-a-second progress.
        using var server = new FaultyHttpServer(new HttpAnswer(200, image, ChunkDelay: TimeSpan.FromMilliseconds(100)));
        var o = WriteImage(server.Url("images/p.raw"), "raw", "sha256", Hex(SHA256.HashData(image)), image.Length);
        Assert.That(o.Status, Is.EqualTo("succeeded"), $"{o.Message}\n{o.Log}");
        var writes = o.Progress.Where(l => l.StartsWith("write ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')).Select(f => (Done: long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), Total: f[2])).ToList();
        Assert.That(writes.Any(w => w.Done > 0 && w.Done < image.Length), Is.True,
            $"a partial byte count was reported while streaming: {string.Join(" | ", o.Progress.Distinct())}");
        Assert.That(writes.All(w => w.Total == image.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) && w.Done <= image.Length), Is.True,
            string.Join(" | ", o.Progress.Distinct()));
        Assert.That(writes.Select(w => w.Done), Is.Ordered, "progress never goes back");
    }

    [Test]
    public void A_short_body_is_retried_and_the_second_download_wins()
    {
        var image = RandomImage(3, 3 << 20);
        using var server = new FaultyHttpServer(
            new HttpAnswer(200, image, SendBytes: (1 << 20) + 5),
            new HttpAnswer(200, image));
        var o = WriteImage(server.Url("images/s.raw"), "raw", "sha256", Hex(SHA256.HashData(image)), image.Length);
        Assert.That(o.Status, Is.EqualTo("succeeded"), $"{o.Message}\n{o.Log}");
        Assert.That(server.Requests, Is.EqualTo(2));
        Assert.That(o.Log, Does.Contain($"broke off after {(1 << 20) + 5} of {image.Length} bytes; retry 1 of 2"));
        Assert.That(o.Result!.Value.GetProperty("bytes_written").GetInt64(), Is.EqualTo(image.Length));
        Assert.That(DiskStart(image.Length), Is.EqualTo(image));
    }

    [Test]
    public void A_body_that_always_breaks_off_fails_after_three_attempts_naming_the_byte_counts()
    {
        var image = RandomImage(4, 1 << 20);
        using var server = new FaultyHttpServer(new HttpAnswer(200, image, SendBytes: 1000));
        var o = WriteImage(server.Url("images/t.raw"), "raw", "sha256", Hex(SHA256.HashData(image)));
        Assert.That(o.Status, Is.EqualTo("failed"));
        Assert.That(o.Message, Does.Contain($"broke off after 1000 of {image.Length} bytes"));
        Assert.That(server.Requests, Is.EqualTo(3));
    }

    [Test]
    public void A_hash_mismatch_fails_at_once_naming_both_hashes()
    {
        var image = RandomImage(5, 1 << 20);
        using var server = new FaultyHttpServer(new HttpAnswer(200, image));
        var wrong = new string('0', 64);
        var o = WriteImage(server.Url("images/h.raw"), "raw", "sha256", wrong);
        Assert.That(o.Status, Is.EqualTo("failed"));
        Assert.That(o.Message, Is.EqualTo($"image checksum mismatch: sha256 expected {wrong}, got {Hex(SHA256.HashData(image))}"));
        Assert.That(server.Requests, Is.EqualTo(1), "a mismatch is final, not retried");
    }

    [Test]
    public void An_HTTP_error_fails_at_once_and_its_body_never_reaches_the_disk()
    {
        using var server = new FaultyHttpServer(new HttpAnswer(404, "not found\n"u8.ToArray()));
        var o = WriteImage(server.Url("images/missing.raw"), "raw", "sha256", new string('0', 64));
        Assert.That(o.Status, Is.EqualTo("failed"));
        Assert.That(o.Message, Is.EqualTo($"image download failed: HTTP 404 from {server.Url("images/missing.raw")}"));
        Assert.That(server.Requests, Is.EqualTo(1));
        Assert.That(File.ReadAllBytes(Disk).All(b => b == 0xAB), Is.True, "the disk is untouched");
    }

    [Test]
    public void A_refused_connection_is_retried_then_fails_naming_the_url()
    {
        var url = $"http://127.0.0.1:{Net.FreeTcpPort()}/images/x.raw";
        var o = WriteImage(url, "raw", "sha256", new string('0', 64));
        Assert.That(o.Status, Is.EqualTo("failed"));
        Assert.That(o.Message, Does.StartWith($"connection to {url} failed"));
        Assert.That(o.Log, Does.Contain("retry 2 of 2"));
    }

    [Test]
    public void A_gzip_image_is_hashed_as_received_and_written_decompressed()
    {
        var image = RandomImage(6, (2 << 20) + 333);
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(image);
        var served = gz.ToArray();
        using var server = new FaultyHttpServer(new HttpAnswer(200, served));
        var o = WriteImage(server.Url("images/g.raw.gz"), "gzip", "sha512", Hex(SHA512.HashData(served)), served.Length);
        Assert.That(o.Status, Is.EqualTo("succeeded"), $"{o.Message}\n{o.Log}");
        Assert.That(o.Result!.Value.GetProperty("bytes_written").GetInt64(), Is.EqualTo(image.Length), "bytes written = decompressed");
        Assert.That(DiskStart(image.Length), Is.EqualTo(image));
    }

    [Test]
    public void A_short_gzip_body_is_retried_not_reported_as_a_broken_image()
    {
        var image = RandomImage(7, 2 << 20);
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(image);
        var served = gz.ToArray();
        using var server = new FaultyHttpServer(
            new HttpAnswer(200, served, SendBytes: served.Length / 2),
            new HttpAnswer(200, served));
        var o = WriteImage(server.Url("images/g2.raw.gz"), "gzip", "sha256", Hex(SHA256.HashData(served)), served.Length);
        Assert.That(o.Status, Is.EqualTo("succeeded"), $"{o.Message}\n{o.Log}");
        Assert.That(o.Log, Does.Contain($"broke off after {served.Length / 2} of {served.Length} bytes"));
        Assert.That(DiskStart(image.Length), Is.EqualTo(image));
    }

    [Test]
    public void A_zstd_image_with_md5_is_written_decompressed()
    {
        var zstd = Peers.Require("zstd", "zstd");
        var image = RandomImage(8, 2 << 20);
        var plain = Path.Combine(_dir.Path, "z.raw");
        File.WriteAllBytes(plain, image);
        using (var p = Process.Start(new ProcessStartInfo(zstd) { ArgumentList = { "-q", "-f", plain, "-o", plain + ".zst" }, UseShellExecute = false })!)
        {
            p.WaitForExit();
            Assert.That(p.ExitCode, Is.Zero);
        }
        var served = File.ReadAllBytes(plain + ".zst");
#pragma warning disable CA5351 // md5 is one of the image checksums Ironic accepts; the agent must verify it
        var md5 = Hex(MD5.HashData(served));
#pragma warning restore CA5351
        using var server = new FaultyHttpServer(new HttpAnswer(200, served));
        var o = WriteImage(server.Url("images/z.raw.zst"), "zstd", "md5", md5, served.Length);
        Assert.That(o.Status, Is.EqualTo("succeeded"), $"{o.Message}\n{o.Log}");
        Assert.That(o.Result!.Value.GetProperty("bytes_written").GetInt64(), Is.EqualTo(image.Length));
        Assert.That(DiskStart(image.Length), Is.EqualTo(image));
    }

    [Test]
    public void A_corrupt_gzip_image_fails_at_once_as_a_decompression_error()
    {
        var junk = RandomImage(9, 100_000);
        junk[0] = 0x1f; junk[1] = 0x8b;
        using var server = new FaultyHttpServer(new HttpAnswer(200, junk));
        var o = WriteImage(server.Url("images/bad.gz"), "gzip", "sha256", Hex(SHA256.HashData(junk)));
        Assert.That(o.Status, Is.EqualTo("failed"));
        Assert.That(o.Message, Does.StartWith("decompressing the image failed"));
        Assert.That(server.Requests, Is.EqualTo(1));
    }
}
