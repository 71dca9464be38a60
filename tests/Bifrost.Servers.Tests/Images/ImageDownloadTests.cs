using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Bifrost.Domain.Images;
using Bifrost.Servers.Images;
using Bifrost.TestKit;
using NUnit.Framework;

#pragma warning disable CA5351 // md5: Ironic's legacy image_checksum, computed here as operators do; not used for security

namespace Bifrost.Servers.Tests.Images;

/// <summary>Remote images: downloaded from a real HTTP server (python3 http.server), verified, cached and reused;
/// transient faults (from a fault-injecting server of ours) retried.</summary>
public class ImageDownloadTests
{
    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static string Md5(byte[] b) => Convert.ToHexStringLower(MD5.HashData(b));
    private static string Sha256(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Test]
    public async Task Remote_image_is_downloaded_verified_cached_and_reused_without_a_second_download()
    {
        using var web = new TempDirectory("bifrost-web");
        using var images = new TempDirectory("bifrost-images");
        var data = Bytes(3 * 1024 * 1024 + 17, 7);
        File.WriteAllBytes(Path.Combine(web.Path, "disk.img"), data);
        using var server = new PythonHttpServer(web.Path);
        using var service = ImageServiceTests.Service(images.Path);
        var node = ImageServiceTests.Node(server.Url("disk.img").ToString(), Md5(data));

        var first = await service.PrepareAsync(node, CancellationToken.None);
        var second = await service.PrepareAsync(node, CancellationToken.None);

        var cacheName = ImageCache.NameFor(server.Url("disk.img"));
        Assert.That(first.Path, Is.EqualTo($"/images/.cache/{cacheName}"));
        Assert.That((first.Format, first.HashValue, first.Size), Is.EqualTo((ImageStreamFormat.Raw, Sha256(data), (long)data.Length)));
        Assert.That(first.Description, Is.EqualTo("disk.img: raw, 3 MiB, md5 verified, downloaded"));
        Assert.That(File.ReadAllBytes(Path.Combine(images.Path, ".cache", cacheName)), Is.EqualTo(data));
        Assert.That(second with { Description = first.Description }, Is.EqualTo(first));
        Assert.That(second.Description, Does.EndWith("cached"));
        Assert.That(server.Gets("disk.img"), Is.EqualTo(1), "the second prepare must not download");
        Assert.That(Directory.GetFiles(Path.Combine(images.Path, ".cache"), "*.part"), Is.Empty);
    }

    [Test]
    public async Task Wrong_checksum_fails_naming_expected_and_actual_and_leaves_no_cache_file()
    {
        using var web = new TempDirectory("bifrost-web");
        using var images = new TempDirectory("bifrost-images");
        var data = Bytes(100_000, 8);
        File.WriteAllBytes(Path.Combine(web.Path, "disk.img"), data);
        using var server = new PythonHttpServer(web.Path);
        using var service = ImageServiceTests.Service(images.Path);
        var wrong = new string('f', 32);
        var url = server.Url("disk.img");

        var e = Assert.ThrowsAsync<ImageException>(() => service.PrepareAsync(ImageServiceTests.Node(url.ToString(), wrong), CancellationToken.None))!;

        Assert.That(e.Message, Is.EqualTo($"Image checksum mismatch for {url}: expected md5 {wrong}, got {Md5(data)}"));
        Assert.That(Directory.GetFiles(Path.Combine(images.Path, ".cache")), Is.Empty);
        // The right checksum afterwards works (nothing poisoned).
        await service.PrepareAsync(ImageServiceTests.Node(url.ToString(), Md5(data)), CancellationToken.None);
    }

    [Test]
    public async Task Changed_image_behind_the_same_URL_is_downloaded_again()
    {
        using var web = new TempDirectory("bifrost-web");
        using var images = new TempDirectory("bifrost-images");
        var v1 = Bytes(50_000, 9);
        var v2 = Bytes(60_000, 10);
        File.WriteAllBytes(Path.Combine(web.Path, "disk.img"), v1);
        using var server = new PythonHttpServer(web.Path);
        using var service = ImageServiceTests.Service(images.Path);
        await service.PrepareAsync(ImageServiceTests.Node(server.Url("disk.img").ToString(), "sha256:" + Sha256(v1)), CancellationToken.None);
        File.WriteAllBytes(Path.Combine(web.Path, "disk.img"), v2);

        var again = await service.PrepareAsync(ImageServiceTests.Node(server.Url("disk.img").ToString(), "sha256:" + Sha256(v2)), CancellationToken.None);
        Assert.That((again.HashValue, server.Gets("disk.img")), Is.EqualTo((Sha256(v2), 2)));
    }

    [Test]
    public async Task Transient_errors_reset_503_and_short_body_are_retried_then_verified()
    {
        using var images = new TempDirectory("bifrost-images");
        var data = Bytes(2 * 1024 * 1024, 11);
        await using var server = new FaultyHttpServer(
            HttpAnswer.ConnectionReset, HttpAnswer.Error(503), HttpAnswer.Short(data, data.Length / 2), HttpAnswer.Ok(data));
        using var service = ImageServiceTests.Service(images.Path, retries: 3);

        var image = await service.PrepareAsync(ImageServiceTests.Node(server.Url("x.img").ToString(), Md5(data)), CancellationToken.None);

        Assert.That(image.HashValue, Is.EqualTo(Sha256(data)));
        Assert.That(server.Requests, Is.EqualTo(4), "three faults, then the good answer");
    }

    [Test]
    public async Task Persistent_503_gives_up_after_the_configured_retries_with_a_clear_error()
    {
        using var images = new TempDirectory("bifrost-images");
        await using var server = new FaultyHttpServer(HttpAnswer.Error(503));
        using var service = ImageServiceTests.Service(images.Path, retries: 2);

        var e = Assert.ThrowsAsync<ImageException>(() =>
            service.PrepareAsync(ImageServiceTests.Node(server.Url("x.img").ToString(), new string('a', 32)), CancellationToken.None))!;
        Assert.That(e.Message, Is.EqualTo($"Image download failed for {server.Url("x.img")}: GET answered 503 Service Unavailable (after 3 attempts)"));
        Assert.That(server.Requests, Is.EqualTo(3));
    }

    [Test]
    public async Task Not_found_is_not_retried()
    {
        using var images = new TempDirectory("bifrost-images");
        await using var server = new FaultyHttpServer(HttpAnswer.Error(404));
        using var service = ImageServiceTests.Service(images.Path, retries: 3);

        var e = Assert.ThrowsAsync<ImageException>(() =>
            service.PrepareAsync(ImageServiceTests.Node(server.Url("x.img").ToString(), new string('a', 32)), CancellationToken.None))!;
        Assert.That(e.Message, Is.EqualTo($"Image download failed for {server.Url("x.img")}: GET answered 404 Not Found"));
        Assert.That(server.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task Remote_qcow2_is_cached_and_served_as_the_raw_view_of_the_cache_file()
    {
        using var web = new TempDirectory("bifrost-web");
        using var images = new TempDirectory("bifrost-images");
        var qcow2 = Path.Combine(web.Path, "cirros.qcow2");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "-f", "qcow2", qcow2, "20M");
        ImageTools.Io(qcow2, "write -P 0x42 0 3M");
        var (sha, length) = ImageTools.ReferenceRaw(qcow2, web.Path);
        using var server = new PythonHttpServer(web.Path);
        using var service = ImageServiceTests.Service(images.Path);
        var node = ImageServiceTests.Node(server.Url("cirros.qcow2").ToString(), null);
        node.InstanceInfo["image_os_hash_algo"] = "sha512";
        node.InstanceInfo["image_os_hash_value"] = Convert.ToHexStringLower(SHA512.HashData(File.ReadAllBytes(qcow2)));

        var image = await service.PrepareAsync(node, CancellationToken.None);

        Assert.That(image.Path, Is.EqualTo($"/images/.raw/.cache/{ImageCache.NameFor(server.Url("cirros.qcow2"))}"));
        Assert.That((image.HashValue, image.Size, image.DiskSize), Is.EqualTo((sha, length, (long?)length)));
        Assert.That(image.Description, Is.EqualTo("cirros.qcow2: qcow2 → raw view, 20 MiB, sha512 verified, downloaded"));
    }

    [Test]
    public void Unreachable_server_fails_after_retries_naming_the_URL()
    {
        using var images = new TempDirectory("bifrost-images");
        using var service = ImageServiceTests.Service(images.Path, retries: 1);
        var url = $"http://127.0.0.1:{Net.FreeTcpPort()}/gone.img";
        var e = Assert.ThrowsAsync<ImageException>(() => service.PrepareAsync(ImageServiceTests.Node(url, new string('a', 32)), CancellationToken.None))!;
        Assert.That(e.Message, Does.StartWith($"Image download failed for {url}: ").And.EndWith("(after 2 attempts)"));
    }
}
