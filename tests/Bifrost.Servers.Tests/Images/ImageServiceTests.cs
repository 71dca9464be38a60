using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Bifrost.Domain.Images;
using Bifrost.Domain.Nodes;
using Bifrost.Servers.Images;
using Bifrost.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

#pragma warning disable CA5351 // md5: Ironic's legacy image_checksum, computed here as operators do; not used for security

namespace Bifrost.Servers.Tests.Images;

/// <summary>Preparing local images (StateDir/images): checksum verification, the digest sidecar, formats, qcow2.</summary>
public class ImageServiceTests
{
    internal static ImageService Service(string imagesDir, int retries = 3) => new(
        new ImageOptions { ImagesDir = imagesDir, DownloadRetries = retries, RetryBackoff = TimeSpan.FromMilliseconds(10), DownloadStallTimeout = TimeSpan.FromSeconds(5) },
        TimeProvider.System, NullLogger<ImageService>.Instance);

    internal static Node Node(string source, string? checksum = null)
    {
        var node = NodeBuilder.Fake("img");
        node.InstanceInfo = new JsonObject { ["image_source"] = source };
        if (checksum is not null) node.InstanceInfo["image_checksum"] = checksum;
        return node;
    }

    private static string Md5(byte[] b) => Convert.ToHexStringLower(MD5.HashData(b));
    private static string Sha256(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Test]
    public async Task Local_raw_image_with_md5_is_verified_and_served_as_is_with_its_sha256()
    {
        using var dir = new TempDirectory("bifrost-images");
        var data = Bytes(300_000, 1);
        File.WriteAllBytes(Path.Combine(dir.Path, "disk.img"), data);
        using var service = Service(dir.Path);

        var image = await service.PrepareAsync(Node("disk.img", Md5(data)), CancellationToken.None);

        Assert.That(image, Is.EqualTo(new PreparedImage
        {
            Path = "/images/disk.img", Format = ImageStreamFormat.Raw, HashAlgorithm = "sha256", HashValue = Sha256(data),
            Size = 300_000, DiskSize = 300_000, Description = "disk.img: raw, 293 KiB, md5 verified",
        }));
    }

    [Test]
    public async Task Local_image_without_checksum_gets_a_sha256_computed_by_Bifrost()
    {
        using var dir = new TempDirectory("bifrost-images");
        Directory.CreateDirectory(Path.Combine(dir.Path, "debian 12"));
        var data = Bytes(5000, 2);
        File.WriteAllBytes(Path.Combine(dir.Path, "debian 12", "disk.img"), data);
        using var service = Service(dir.Path);

        Assert.That(service.Validate(Node("debian 12/disk.img")).Result, Is.True);
        var image = await service.PrepareAsync(Node("debian 12/disk.img"), CancellationToken.None);
        Assert.That((image.Path, image.HashValue), Is.EqualTo(("/images/debian%2012/disk.img", Sha256(data))));
        Assert.That(image.Description, Does.EndWith("sha256 computed (no checksum given)"));
    }

    [Test]
    public void Checksum_mismatch_names_source_algorithm_expected_and_actual()
    {
        using var dir = new TempDirectory("bifrost-images");
        var data = Bytes(1000, 3);
        File.WriteAllBytes(Path.Combine(dir.Path, "disk.img"), data);
        using var service = Service(dir.Path);
        var wrong = new string('0', 64);

        var e = Assert.ThrowsAsync<ImageException>(() => service.PrepareAsync(Node("disk.img", "sha256:" + wrong), CancellationToken.None))!;
        Assert.That(e.Message, Is.EqualTo($"Image checksum mismatch for disk.img: expected sha256 {wrong}, got {Sha256(data)}"));
    }

    [Test]
    public void Missing_file_and_symlink_out_of_the_directory_are_not_found()
    {
        using var dir = new TempDirectory("bifrost-images");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "escape.img"), "/etc/hostname");
        using var service = Service(dir.Path);
        Assert.That(Assert.ThrowsAsync<ImageException>(() => service.PrepareAsync(Node("nope.img"), CancellationToken.None))!.Message,
            Does.StartWith("Image nope.img not found in"));
        Assert.That(Assert.ThrowsAsync<ImageException>(() => service.PrepareAsync(Node("escape.img"), CancellationToken.None))!.Message,
            Does.StartWith("Image escape.img not found in"));
    }

    [Test]
    public async Task Digest_is_remembered_by_size_and_mtime_so_a_file_is_hashed_once()
    {
        using var dir = new TempDirectory("bifrost-images");
        var path = Path.Combine(dir.Path, "disk.img");
        var first = Bytes(4096, 4);
        File.WriteAllBytes(path, first);
        var mtime = File.GetLastWriteTimeUtc(path);
        using var service = Service(dir.Path);
        Assert.That((await service.PrepareAsync(Node("disk.img"), CancellationToken.None)).HashValue, Is.EqualTo(Sha256(first)));

        // Same size, same mtime, other bytes: the remembered digest is used (the proof that nothing was re-read).
        File.WriteAllBytes(path, Bytes(4096, 5));
        File.SetLastWriteTimeUtc(path, mtime);
        Assert.That((await service.PrepareAsync(Node("disk.img"), CancellationToken.None)).HashValue, Is.EqualTo(Sha256(first)));

        // A new mtime: hashed again.
        File.SetLastWriteTimeUtc(path, mtime.AddSeconds(10));
        Assert.That((await service.PrepareAsync(Node("disk.img"), CancellationToken.None)).HashValue, Is.EqualTo(Sha256(File.ReadAllBytes(path))));
        // A new algorithm asked for: hashed again too (md5 was never computed).
        var md5 = Md5(File.ReadAllBytes(path));
        Assert.That((await service.PrepareAsync(Node("disk.img", md5), CancellationToken.None)).Description, Does.EndWith("md5 verified"));
    }

    [Test]
    public async Task Gzip_and_zstd_images_are_served_as_is_for_the_agent_to_decompress()
    {
        using var dir = new TempDirectory("bifrost-images");
        var raw = Path.Combine(dir.Path, "disk.raw");
        ImageTools.WritePattern(raw, 1 << 20, seed: 6);
        ImageTools.Run(Peers.Require("zstd", "zstd"), "-q", "-k", raw, "-o", raw + ".zst");
        ImageTools.Run(Peers.Require("gzip", "gzip"), "-k", raw);
        using var service = Service(dir.Path);

        var gz = await service.PrepareAsync(Node("disk.raw.gz"), CancellationToken.None);
        var zst = await service.PrepareAsync(Node("disk.raw.zst"), CancellationToken.None);
        Assert.That((gz.Format, gz.DiskSize, gz.HashValue), Is.EqualTo((ImageStreamFormat.Gzip, (long?)null, ImageTools.Sha256(raw + ".gz"))));
        Assert.That((zst.Format, zst.DiskSize, zst.HashValue), Is.EqualTo((ImageStreamFormat.Zstd, (long?)null, ImageTools.Sha256(raw + ".zst"))));
    }

    [Test]
    public async Task Qcow2_image_is_prepared_as_its_raw_view_with_the_sha256_of_that_view()
    {
        using var dir = new TempDirectory("bifrost-images");
        var image = Path.Combine(dir.Path, "cirros.qcow2");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "-f", "qcow2", image, "32M");
        ImageTools.Io(image, "write -P 0x5a 1M 2M", "write -P 0xa5 31M 1M");
        var (sha, length) = ImageTools.ReferenceRaw(image, Path.GetTempPath());
        using var service = Service(dir.Path);

        var prepared = await service.PrepareAsync(Node("cirros.qcow2", "md5:" + Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(image)))), CancellationToken.None);

        Assert.That(prepared, Is.EqualTo(new PreparedImage
        {
            Path = "/images/.raw/cirros.qcow2", Format = ImageStreamFormat.Raw, HashAlgorithm = "sha256", HashValue = sha,
            Size = length, DiskSize = length, Description = "cirros.qcow2: qcow2 → raw view, 32 MiB, md5 verified",
        }));
        // The raw view's digest is remembered with the file's: a second prepare finds it in the sidecar.
        Assert.That((await service.PrepareAsync(Node("cirros.qcow2"), CancellationToken.None)).HashValue, Is.EqualTo(sha));
    }

    [Test]
    public void Qcow2_with_a_backing_file_fails_preparation_clearly()
    {
        using var dir = new TempDirectory("bifrost-images");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "-f", "qcow2", Path.Combine(dir.Path, "base.qcow2"), "4M");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "base.qcow2", Path.Combine(dir.Path, "top.qcow2"));
        using var service = Service(dir.Path);
        var e = Assert.ThrowsAsync<ImageException>(() => service.PrepareAsync(Node("top.qcow2"), CancellationToken.None))!;
        Assert.That(e.Message, Does.StartWith("Image top.qcow2: qcow2 image has a backing file 'base.qcow2'"));
    }

    private static IEnumerable<TestCaseData> Validations() =>
    [
        new TestCaseData("http://10.0.0.1/x.img", null, "image_checksum (or image_os_hash_algo + image_os_hash_value) is required for image_source http://10.0.0.1/x.img")
            .SetName("URL without checksum → invalid (Ironic requires one)"),
        new TestCaseData("http://10.0.0.1/x.img", new string('a', 32), null).SetName("URL with md5 → valid"),
        new TestCaseData("x.img", null, null).SetName("local file without checksum → valid (Bifrost hashes it)"),
        new TestCaseData("file:///srv/x.img", new string('a', 32), "file:// sources are not supported").SetName("file:// → invalid"),
        new TestCaseData("x.img", "nothex", "is not a checksum").SetName("local file with a malformed checksum → invalid"),
    ];

    [TestCaseSource(nameof(Validations))]
    public void Validate_is_pure_and_names_what_is_wrong(string source, string? checksum, string? error)
    {
        using var service = Service("/nonexistent-bifrost-images-dir"); // no I/O: the directory need not exist
        var result = service.Validate(Node(source, checksum));
        Assert.That(result.Result, Is.EqualTo(error is null), result.Reason);
        if (error is not null) Assert.That(result.Reason, Does.Contain(error));
    }
}
