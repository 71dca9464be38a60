using System.Text.Json.Nodes;
using Bifrost.Servers.Images;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Images;

/// <summary>instance_info checksum rules (as Ironic takes them), image_source rules, and format detection by magic.</summary>
public class ImageChecksumTests
{
    private const string Md5 = "d41d8cd98f00b204e9800998ecf8427e";
    private const string Sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static readonly string Sha512 = new('a', 128);

    private static JsonObject Info(params (string Key, string Value)[] fields)
    {
        var o = new JsonObject();
        foreach (var (k, v) in fields) o[k] = v;
        return o;
    }

    private static IEnumerable<TestCaseData> Valid() =>
    [
        new TestCaseData(Info(("image_checksum", Md5)), "md5", Md5).SetName("bare 32 hex digits → md5 (Ironic's legacy field)"),
        new TestCaseData(Info(("image_checksum", Sha256)), "sha256", Sha256).SetName("bare 64 hex digits → sha256"),
        new TestCaseData(Info(("image_checksum", Sha512)), "sha512", Sha512).SetName("bare 128 hex digits → sha512"),
        new TestCaseData(Info(("image_checksum", "sha256:" + Sha256.ToUpperInvariant())), "sha256", Sha256).SetName("algo:hex, upper-case hex → lower-cased"),
        new TestCaseData(Info(("image_checksum", "MD5:" + Md5)), "md5", Md5).SetName("algo name is case-insensitive"),
        new TestCaseData(Info(("image_os_hash_algo", "sha512"), ("image_os_hash_value", Sha512)), "sha512", Sha512).SetName("image_os_hash_algo + image_os_hash_value"),
        new TestCaseData(Info(("image_os_hash_algo", "sha256"), ("image_os_hash_value", Sha256), ("image_checksum", Md5)), "sha256", Sha256)
            .SetName("os_hash pair wins over image_checksum (as Ironic)"),
        new TestCaseData(Info(("image_checksum", " " + Md5 + "\n")), "md5", Md5).SetName("surrounding whitespace is ignored"),
    ];

    [TestCaseSource(nameof(Valid))]
    public void Checksum_is_read(JsonObject info, string algorithm, string hex)
    {
        Assert.That(ImageChecksum.TryRead(info, out var checksum, out var error), Is.True, error);
        Assert.That(checksum, Is.EqualTo(new ImageChecksum(algorithm, hex)));
    }

    [Test]
    public void No_checksum_at_all_is_not_an_error_here()
    {
        Assert.That(ImageChecksum.TryRead(Info(("image_source", "x.img")), out var checksum, out var error), Is.True);
        Assert.That((checksum, error), Is.EqualTo(((ImageChecksum?)null, (string?)null)));
    }

    private static IEnumerable<TestCaseData> Invalid() =>
    [
        new TestCaseData(Info(("image_checksum", "abc")), "expected 32 (md5), 64 (sha256) or 128 (sha512) hex digits").SetName("bare hex of another length → refused"),
        new TestCaseData(Info(("image_checksum", "sha1:" + new string('a', 40))), "'sha1' is not supported").SetName("sha1 → unsupported algorithm"),
        new TestCaseData(Info(("image_checksum", "sha256:" + Md5)), "is not a sha256 digest (64 hex digits)").SetName("algo:hex with the wrong digest length → refused"),
        new TestCaseData(Info(("image_checksum", "md5:" + new string('z', 32))), "is not a md5 digest").SetName("algo:hex with non-hex digits → refused"),
        new TestCaseData(Info(("image_os_hash_algo", "sha256")), "image_os_hash_value is missing").SetName("os_hash_algo without value → refused"),
        new TestCaseData(Info(("image_os_hash_value", Sha256)), "image_os_hash_algo is missing").SetName("os_hash_value without algo → refused"),
        new TestCaseData(Info(("image_os_hash_algo", "crc32"), ("image_os_hash_value", "deadbeef")), "'crc32' is not supported").SetName("unknown os_hash_algo → refused"),
    ];

    [TestCaseSource(nameof(Invalid))]
    public void Malformed_checksum_is_refused_with_the_reason(JsonObject info, string expected)
    {
        Assert.That(ImageChecksum.TryRead(info, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public void Thirty_two_non_hex_characters_are_not_an_md5()
    {
        Assert.That(ImageChecksum.TryRead(Info(("image_checksum", new string('g', 32))), out _, out var error), Is.False);
        Assert.That(error, Does.Contain("is not a md5 digest"));
    }

    private static IEnumerable<TestCaseData> Sources() =>
    [
        new TestCaseData("http://10.0.0.1/img/cirros.qcow2", true, null).SetName("http URL → remote"),
        new TestCaseData("https://mirror.example/x.raw.zst", true, null).SetName("https URL → remote"),
        new TestCaseData("cirros.img", false, null).SetName("plain name → file under StateDir/images"),
        new TestCaseData("debian/12/disk.raw", false, null).SetName("relative path with directories → file under StateDir/images"),
        new TestCaseData("file:///etc/shadow", false, "file:// sources are not supported").SetName("file:// → refused: Bifrost serves only its own directory"),
        new TestCaseData("ftp://host/x.img", false, "not an http(s) URL").SetName("ftp URL → refused"),
        new TestCaseData("../bifrost.db", false, "neither an http(s) URL nor a file name").SetName("'..' escape → refused"),
        new TestCaseData("/etc/passwd", false, "neither an http(s) URL nor a file name").SetName("absolute path → refused"),
        new TestCaseData(".cache/0123456789abcdef0123456789abcdef01234567", false, "hidden names").SetName("Bifrost's .cache → refused as a source"),
        new TestCaseData("a//b", false, "neither").SetName("empty path segment → refused"),
        new TestCaseData("", false, "image_source is required").SetName("empty image_source → required"),
    ];

    [TestCaseSource(nameof(Sources))]
    public void Image_source_is_a_URL_or_a_name_under_the_image_directory(string raw, bool remote, string? error)
    {
        var ok = ImageSource.TryRead(Info(("image_source", raw)), out var source, out var why);
        Assert.That(ok, Is.EqualTo(error is null), why);
        if (error is null) Assert.That(source.IsRemote, Is.EqualTo(remote));
        else Assert.That(why, Does.Contain(error));
    }

    [Test]
    public void URL_credentials_and_query_never_appear_in_messages()
    {
        Assert.That(ImageSource.TryRead(Info(("image_source", "https://user:s3cret@host/x.img?sig=T0KEN")), out var source, out _), Is.True);
        Assert.That(source.Display, Is.EqualTo("https://host/x.img?…"));
    }

    private static IEnumerable<TestCaseData> Magics() =>
    [
        new TestCaseData(new byte[] { 0x51, 0x46, 0x49, 0xfb }, ImageFileFormat.Qcow2).SetName("QFI\\xfb → qcow2"),
        new TestCaseData(new byte[] { 0x1f, 0x8b, 0x08, 0x00 }, ImageFileFormat.Gzip).SetName("1f 8b → gzip"),
        new TestCaseData(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }, ImageFileFormat.Zstd).SetName("28 b5 2f fd → zstd"),
        new TestCaseData(new byte[] { 0xeb, 0x63, 0x90, 0x10 }, ImageFileFormat.Raw).SetName("an MBR boot sector → raw"),
        new TestCaseData(new byte[] { 0x1f }, ImageFileFormat.Raw).SetName("one byte → raw"),
        new TestCaseData(Array.Empty<byte>(), ImageFileFormat.Raw).SetName("empty file → raw"),
        new TestCaseData(new byte[] { 0x51, 0x46, 0x49 }, ImageFileFormat.Raw).SetName("three bytes of the qcow2 magic → raw"),
    ];

    [TestCaseSource(nameof(Magics))]
    public void Format_is_found_by_magic_bytes(byte[] head, ImageFileFormat expected) =>
        Assert.That(ImageFormats.Detect(head), Is.EqualTo(expected));
}
