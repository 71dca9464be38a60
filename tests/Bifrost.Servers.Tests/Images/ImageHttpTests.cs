using System.Net;
using Bifrost.Servers.Images;
using Bifrost.Servers.Tests.HttpBoot;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Images;

/// <summary>Prepared images on the real daemon's HTTP boot listener, fetched with curl (what the agent uses).</summary>
public class ImageHttpTests
{
    private static string Curl => Peers.Require("curl", "curl");

    [Test]
    public async Task Raw_view_served_over_HTTP_equals_qemu_img_convert_and_HEAD_gives_its_length()
    {
        await using var f = await BootServerFixture.StartAsync();
        var images = Path.Combine(f.StateDir, "images");
        Directory.CreateDirectory(images);
        var qcow2 = Path.Combine(images, "disk.qcow2");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", qcow2, "24M");
        ImageTools.Io(qcow2, "write -P 0x61 0 1M", "write -P 0x62 10M 4k", "write -P 0x63 23M 1M");
        using var work = new TempDirectory("bifrost-images-http");
        var (sha, length) = ImageTools.ReferenceRaw(qcow2, work.Path);
        using var service = ImageServiceTests.Service(images);
        var prepared = await service.PrepareAsync(ImageServiceTests.Node("disk.qcow2"), CancellationToken.None);

        var output = Path.Combine(work.Path, "got.raw");
        var url = $"http://127.0.0.1:{f.BootPort}{prepared.Path}";
        ImageTools.Run(Curl, "-sSf", "-o", output, url);
        var head = ImageTools.Run(Curl, "-sSf", "-I", url);

        Assert.That(ImageTools.Sha256(output), Is.EqualTo(sha));
        Assert.That(prepared.HashValue, Is.EqualTo(sha), "the hash the agent checks is of the bytes it receives");
        Assert.That(head, Does.Contain($"Content-Length: {length}"));
    }

    [Test]
    public async Task Downloaded_cache_file_is_served_but_sidecars_escapes_and_non_qcow2_views_are_not()
    {
        await using var f = await BootServerFixture.StartAsync();
        var images = Path.Combine(f.StateDir, "images");
        Directory.CreateDirectory(images);
        File.WriteAllBytes(Path.Combine(images, "plain.img"), new byte[4096]);
        using var service = ImageServiceTests.Service(images);
        await service.PrepareAsync(ImageServiceTests.Node("plain.img"), CancellationToken.None); // writes a sidecar
        var sidecar = Directory.GetFiles(Path.Combine(images, ".cache", "meta")).Single();
        var cacheFile = Path.Combine(images, ".cache", new string('a', 40));
        File.WriteAllBytes(cacheFile, [1, 2, 3]);

        async Task<HttpStatusCode> Status(string path)
        {
            var code = ImageTools.Run(Curl, "-s", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{f.BootPort}{path}");
            return (HttpStatusCode)int.Parse(code, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.That(await Status($"/images/.cache/{new string('a', 40)}"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Status($"/images/.cache/meta/{Path.GetFileName(sidecar)}"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await Status("/images/.raw/../../bifrost.db"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await Status("/images/.raw/%2e%2e/bifrost.db"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await Status("/images/.cache/../../bifrost.db"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await Status("/images/.raw/plain.img"), Is.EqualTo(HttpStatusCode.NotFound), "not a qcow2 image: no view");
        Assert.That(await Status("/images/plain.img"), Is.EqualTo(HttpStatusCode.OK));
    }
}
