using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.HttpBoot;

/// <summary>/images, /ramdisk and /tftp over HTTP: HEAD, Range, ETag, and no way out of the directories.</summary>
public class StaticFileTests
{
    private static byte[] WriteImage(BootServerFixture f, string name, int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        var dir = Path.Combine(f.StateDir, "images");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, name), bytes);
        return bytes;
    }

    [Test]
    public async Task Curl_downloads_an_image_byte_identical()
    {
        var curl = Peers.Require("curl", "curl");
        await using var f = await BootServerFixture.StartAsync();
        var bytes = WriteImage(f, "disk.img", 3 * 1024 * 1024 + 17);
        var output = Path.Combine(f.StateDir, "downloaded");
        var (code, err) = await RunAsync(curl, "-sS", "--fail", "-o", output, $"http://127.0.0.1:{f.BootPort}/images/disk.img");
        Assert.That(code, Is.Zero, err);
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(bytes));
    }

    [Test]
    public async Task A_client_hanging_up_mid_image_leaves_the_server_serving_and_an_empty_file_is_a_200_with_length_0()
    {
        await using var f = await BootServerFixture.StartAsync();
        var bytes = WriteImage(f, "disk.img", 8 * 1024 * 1024 + 5);
        WriteImage(f, "empty.img", 0);
        // Read one chunk's worth of the streamed body, then drop the connection while the server is still writing.
        using (var response = await f.Boot.GetAsync("/images/disk.img", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(bytes.Length));
            await using var body = await response.Content.ReadAsStreamAsync();
            var head = new byte[64 * 1024];
            await body.ReadExactlyAsync(head);
            Assert.That(head, Is.EqualTo(bytes[..head.Length]));
        }
        Assert.That(await f.Boot.GetByteArrayAsync("/images/disk.img"), Is.EqualTo(bytes), "the next download is whole");
        using var empty = await f.Boot.GetAsync("/images/empty.img");
        Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(empty.Content.Headers.ContentLength, Is.Zero);
        Assert.That(await empty.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task Curl_resumes_a_partial_download_with_a_range_request()
    {
        var curl = Peers.Require("curl", "curl");
        await using var f = await BootServerFixture.StartAsync();
        var bytes = WriteImage(f, "disk.img", 1024 * 1024);
        var output = Path.Combine(f.StateDir, "partial");
        File.WriteAllBytes(output, bytes[..300_000]);
        var (code, err) = await RunAsync(curl, "-sS", "--fail", "-C", "-", "-o", output, $"http://127.0.0.1:{f.BootPort}/images/disk.img");
        Assert.That(code, Is.Zero, err);
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(bytes));
    }

    [Test]
    public async Task Head_gives_the_length_and_validators_without_a_body()
    {
        await using var f = await BootServerFixture.StartAsync();
        WriteImage(f, "disk.img", 12345);
        using var response = await f.Boot.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/images/disk.img"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(12345));
        Assert.That(response.Headers.ETag, Is.Not.Null);
        Assert.That(response.Headers.AcceptRanges, Has.Member("bytes"));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task Range_returns_206_with_exactly_those_bytes()
    {
        await using var f = await BootServerFixture.StartAsync();
        var bytes = WriteImage(f, "disk.img", 100_000);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/images/disk.img");
        request.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var response = await f.Boot.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(response.Content.Headers.ContentRange?.ToString(), Is.EqualTo("bytes 1000-1999/100000"));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[1000..2000]));
    }

    [Test]
    public async Task Range_beyond_the_end_is_416()
    {
        await using var f = await BootServerFixture.StartAsync();
        WriteImage(f, "disk.img", 100);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/images/disk.img");
        request.Headers.Range = new RangeHeaderValue(500, 600);
        using var response = await f.Boot.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
    }

    [Test]
    public async Task If_None_Match_with_the_current_ETag_is_304_and_a_changed_file_gets_a_new_ETag()
    {
        await using var f = await BootServerFixture.StartAsync();
        WriteImage(f, "disk.img", 4096);
        var etag = (await f.Boot.GetAsync("/images/disk.img")).Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/images/disk.img");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.That((await f.Boot.SendAsync(again)).StatusCode, Is.EqualTo(HttpStatusCode.NotModified));

        WriteImage(f, "disk.img", 4097);
        using var changed = new HttpRequestMessage(HttpMethod.Get, "/images/disk.img");
        changed.Headers.IfNoneMatch.Add(etag);
        using var response = await f.Boot.SendAsync(changed);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.ETag, Is.Not.EqualTo(etag));
    }

    [Test]
    public async Task Ramdisk_and_tftp_directories_are_served_too()
    {
        await using var f = await BootServerFixture.StartAsync();
        f.AddRamdisk(kernel: "K");
        Directory.CreateDirectory(Path.Combine(f.StateDir, "tftp"));
        File.WriteAllText(Path.Combine(f.StateDir, "tftp", "hello.txt"), "T");
        Assert.That(await f.Boot.GetStringAsync("/ramdisk/bifrost-agent.kernel"), Is.EqualTo("K"));
        Assert.That(await f.Boot.GetStringAsync("/tftp/hello.txt"), Is.EqualTo("T"));
    }

    private static IEnumerable<TestCaseData> Escapes()
    {
        yield return new TestCaseData("/images/../bifrost.db").SetName("/images/../bifrost.db is 404");
        yield return new TestCaseData("/images/%2e%2e/bifrost.db").SetName("/images/%2e%2e/bifrost.db is 404");
        yield return new TestCaseData("/images/..%2fbifrost.db").SetName("/images/..%2fbifrost.db is 404");
        yield return new TestCaseData("/images//etc/passwd").SetName("/images//etc/passwd is 404");
        yield return new TestCaseData("/images/out-link").SetName("a symlink out of the directory is 404");
        yield return new TestCaseData("/images/out-dir/passwd").SetName("a file under a symlinked directory outside is 404");
        yield return new TestCaseData("/images/").SetName("a directory is 404");
        yield return new TestCaseData("/images/missing.img").SetName("a missing file is 404");
    }

    [TestCaseSource(nameof(Escapes))]
    public async Task No_path_leaves_its_directory(string path)
    {
        var curl = Peers.Require("curl", "curl");
        await using var f = await BootServerFixture.StartAsync();
        WriteImage(f, "disk.img", 10);
        var images = Path.Combine(f.StateDir, "images");
        File.CreateSymbolicLink(Path.Combine(images, "out-link"), "/etc/passwd");
        Directory.CreateSymbolicLink(Path.Combine(images, "out-dir"), "/etc");
        // curl --path-as-is sends the path exactly as written (HttpClient would normalise the dots away).
        var (code, output) = await RunAsync(curl, "-s", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}",
            $"http://127.0.0.1:{f.BootPort}{path}");
        Assert.That(code, Is.Zero);
        Assert.That(output, Is.EqualTo("404").Or.EqualTo("400"));
    }

    [Test]
    public async Task A_symlink_that_stays_inside_is_followed()
    {
        await using var f = await BootServerFixture.StartAsync();
        var bytes = WriteImage(f, "disk.img", 10);
        File.CreateSymbolicLink(Path.Combine(f.StateDir, "images", "latest.img"), "disk.img");
        Assert.That(await f.Boot.GetByteArrayAsync("/images/latest.img"), Is.EqualTo(bytes));
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, (await stdout) + (await stderr));
    }
}
