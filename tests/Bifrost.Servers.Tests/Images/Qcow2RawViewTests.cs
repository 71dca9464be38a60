using Bifrost.Domain.Images;
using Bifrost.Servers.Images;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Images;

/// <summary>
/// The raw view of qcow2 images made by the real qemu-img, compared byte for byte (sha256 and length) with
/// <c>qemu-img convert -O raw</c> of the same file.
/// </summary>
public class Qcow2RawViewTests
{
    private static IEnumerable<TestCaseData> Images() =>
    [
        new TestCaseData("empty", "-o compat=1.1,cluster_size=65536", "10M", Array.Empty<string>(), null)
            .SetName("empty v3 image → all zeros of the virtual size"),
        new TestCaseData("sparse-ends", "-o compat=1.1", "64M", new[] { "write -P 0xab 0 1M", "write -P 0xcd 63M 1M" }, null)
            .SetName("sparse with data at both ends → data, zeros, data"),
        new TestCaseData("v2", "-o compat=0.10", "16M", new[] { "write -P 0x11 0 64k", "write -P 0x22 8M 300k", "write -P 0x33 16252928 131072" }, null)
            .SetName("version 2 (compat=0.10) image"),
        new TestCaseData("v3-4k", "-o compat=1.1,cluster_size=4096", "8M", new[] { "write -P 0x44 4096 12288", "write -P 0x45 5M 100k" }, null)
            .SetName("4 KiB clusters"),
        new TestCaseData("v3-2m", "-o compat=1.1,cluster_size=2097152", "9M", new[] { "write -P 0x55 1M 3M", "write -P 0x56 8M 512" }, null)
            .SetName("2 MiB clusters, virtual size not a multiple of the cluster"),
        new TestCaseData("odd-size", "-o compat=1.1", "1049088", new[] { "write -P 0x66 1048576 512" }, null)
            .SetName("virtual size 1 MiB + 512: the last partial cluster is cut"),
        new TestCaseData("zero-clusters", "-o compat=1.1", "8M", new[] { "write -P 0x77 0 4M", "write -z 64k 128k", "write -z 2M 1M" }, null)
            .SetName("zero clusters (qemu-io write -z over data) read as zeros"),
        new TestCaseData("compressed", "-o compat=1.1", "12M", Array.Empty<string>(), "-c")
            .SetName("compressed clusters (qemu-img convert -c) inflate to the original"),
        new TestCaseData("compressed-4k", "-o compat=1.1,cluster_size=4096", "3M", Array.Empty<string>(), "-c")
            .SetName("compressed clusters with 4 KiB clusters"),
        new TestCaseData("compressed-v2", "-o compat=0.10", "6M", Array.Empty<string>(), "-c")
            .SetName("compressed clusters in a version 2 image"),
    ];

    [TestCaseSource(nameof(Images))]
    public async Task Raw_view_is_byte_identical_to_qemu_img_convert(string name, string createOptions, string size, string[] writes, string? convert)
    {
        using var dir = new TempDirectory("bifrost-qcow2");
        var image = Path.Combine(dir.Path, name + ".qcow2");
        if (convert is not null)
        {
            // A raw file with data and zero runs, converted (compressed) by qemu-img: the same path operators use.
            var raw = Path.Combine(dir.Path, name + ".src");
            ImageTools.WritePattern(raw, ParseSize(size), seed: name.Length);
            ImageTools.Run(ImageTools.QemuImg, ["convert", convert, "-f", "raw", "-O", "qcow2", .. createOptions.Split(' '), raw, image]);
        }
        else
        {
            ImageTools.Run(ImageTools.QemuImg, ["create", "-q", "-f", "qcow2", .. createOptions.Split(' '), image, size]);
            if (writes.Length > 0) ImageTools.Io(image, writes);
        }
        var (expectedSha, expectedLength) = ImageTools.ReferenceRaw(image, dir.Path);

        using var view = Qcow2RawView.Open(image, name);
        var output = Path.Combine(dir.Path, name + ".view");
        await using (var f = File.Create(output)) await view.CopyToAsync(f, CancellationToken.None);

        Assert.That(view.Length, Is.EqualTo(expectedLength));
        Assert.That(new FileInfo(output).Length, Is.EqualTo(expectedLength));
        Assert.That(ImageTools.Sha256(output), Is.EqualTo(expectedSha));
    }

    [Test]
    public void Image_with_a_backing_file_is_refused_naming_it()
    {
        using var dir = new TempDirectory("bifrost-qcow2");
        var @base = Path.Combine(dir.Path, "base.qcow2");
        var overlay = Path.Combine(dir.Path, "overlay.qcow2");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "-f", "qcow2", @base, "4M");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", @base, overlay);
        var e = Assert.Throws<ImageException>(() => Qcow2RawView.Open(overlay, "overlay.qcow2"))!;
        Assert.That(e.Message, Does.Contain("overlay.qcow2").And.Contain($"backing file '{@base}'"));
    }

    [Test]
    public void Encrypted_image_is_refused()
    {
        using var dir = new TempDirectory("bifrost-qcow2");
        var image = Path.Combine(dir.Path, "secret.qcow2");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "--object", "secret,id=sec0,data=hunter2", "-f", "qcow2",
            "-o", "encrypt.format=luks,encrypt.key-secret=sec0", image, "4M");
        var e = Assert.Throws<ImageException>(() => Qcow2RawView.Open(image, "secret.qcow2"))!;
        Assert.That(e.Message, Does.Contain("encrypted (LUKS)"));
    }

    [Test]
    public void Truncated_image_fails_with_a_clear_error_not_a_crash()
    {
        using var dir = new TempDirectory("bifrost-qcow2");
        var image = Path.Combine(dir.Path, "cut.qcow2");
        ImageTools.Run(ImageTools.QemuImg, "create", "-q", "-f", "qcow2", image, "64M");
        ImageTools.Io(image, "write -P 0x12 0 1M");
        // Keep the header but cut the file inside the L1/L2 tables.
        using (var f = new FileStream(image, FileMode.Open)) f.SetLength(3 * 65536 + 100);
        using var view = Qcow2RawView.Open(image, "cut.qcow2");
        var e = Assert.ThrowsAsync<ImageException>(() => view.CopyToAsync(Stream.Null, CancellationToken.None))!;
        Assert.That(e.Message, Does.Contain("cut.qcow2: malformed qcow2").And.Contain("beyond the end of the file"));
    }

    [Test]
    public void Damaged_compressed_cluster_fails_with_a_clear_error_not_a_crash()
    {
        using var dir = new TempDirectory("bifrost-qcow2");
        var raw = Path.Combine(dir.Path, "src.raw");
        File.WriteAllText(raw, string.Concat(Enumerable.Repeat("bifrost compresses this line well\n", 40_000)));
        var image = Path.Combine(dir.Path, "c.qcow2");
        ImageTools.Run(ImageTools.QemuImg, "convert", "-c", "-f", "raw", "-O", "qcow2", raw, image);
        long target;
        using (var view = Qcow2RawView.Open(image, "c.qcow2"))
        {
            // Find the first compressed cluster through the pure decoders, then overwrite its deflate data.
            var h = view.Header;
            var bytes = File.ReadAllBytes(image);
            var l1 = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan((int)h.L1TableOffset));
            Assert.That(Bifrost.Protocols.Qcow2.Qcow2Entry.TryReadL1(l1, h.ClusterBits, out var l2, out _), Is.True);
            var entry = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan((int)l2));
            Assert.That(Bifrost.Protocols.Qcow2.Qcow2Entry.TryReadL2(entry, h.ClusterBits, out var cluster, out _), Is.True);
            Assert.That(cluster.Kind, Is.EqualTo(Bifrost.Protocols.Qcow2.Qcow2ClusterKind.Compressed));
            target = cluster.HostOffset;
        }
        using (var f = new FileStream(image, FileMode.Open)) { f.Position = target; f.Write(Enumerable.Repeat((byte)0xff, 64).ToArray()); }

        using var damaged = Qcow2RawView.Open(image, "c.qcow2");
        var e = Assert.ThrowsAsync<ImageException>(() => damaged.CopyToAsync(Stream.Null, CancellationToken.None))!;
        Assert.That(e.Message, Does.StartWith("Image c.qcow2: malformed qcow2: compressed cluster L2[0][0]"));
    }

    private static long ParseSize(string s) => s[^1] switch
    {
        'M' => long.Parse(s[..^1]) << 20,
        _ => long.Parse(s),
    };
}
