using System.Security.Cryptography;
using Bifrost.Servers.Images;
using Bifrost.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Images;

/// <summary>The download cache stays within its size and TTL: least recently used first, never a fresh one.</summary>
public class ImageCacheTrimmerTests
{
    private static readonly DateTime Now = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);

    private static string Cached(string dir, char name, int bytes, TimeSpan usedAgo)
    {
        var path = Path.Combine(dir, new string(name, 40));
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, Now - usedAgo - TimeSpan.FromDays(30)); // downloaded long ago
        File.SetLastAccessTimeUtc(path, Now - usedAgo);
        return path;
    }

    private static string[] Names(string dir) =>
        Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Test]
    public void Over_its_size_the_least_recently_used_images_go_first_until_it_fits()
    {
        using var dir = new TempDirectory("bifrost-cache");
        var a = Cached(dir.Path, 'a', 1000, TimeSpan.FromDays(3));
        Cached(dir.Path, 'b', 1000, TimeSpan.FromDays(1));
        var c = Cached(dir.Path, 'c', 1000, TimeSpan.FromDays(2));
        Cached(dir.Path, 'd', 1000, TimeSpan.FromHours(2));

        var result = ImageCacheTrimmer.Trim(dir.Path, maxBytes: 2500, ttl: TimeSpan.Zero, Now);

        Assert.That(result.Removed.Select(r => r.Name), Is.EqualTo(new[] { Path.GetFileName(a), Path.GetFileName(c) }));
        Assert.That(Names(dir.Path), Is.EqualTo(new[] { new string('b', 40), new string('d', 40) }));
        Assert.That((result.BytesLeft, result.FilesLeft), Is.EqualTo((2000L, 2)));
        Assert.That(result.Removed[0].Why, Does.Contain("least recently used"));
    }

    [Test]
    public void An_image_used_within_the_last_hour_is_never_removed_even_over_the_limit()
    {
        using var dir = new TempDirectory("bifrost-cache");
        Cached(dir.Path, 'a', 1000, TimeSpan.FromMinutes(50)); // a deploy prepared it; its agent may not have fetched it
        Cached(dir.Path, 'b', 1000, TimeSpan.FromMinutes(5));
        var result = ImageCacheTrimmer.Trim(dir.Path, maxBytes: 100, ttl: TimeSpan.FromMinutes(1), Now);
        Assert.That(result.Removed, Is.Empty);
        Assert.That(result.BytesLeft, Is.EqualTo(2000));
    }

    [Test]
    public void Images_unused_past_the_ttl_go_even_when_the_cache_is_small()
    {
        using var dir = new TempDirectory("bifrost-cache");
        Cached(dir.Path, 'a', 10, TimeSpan.FromDays(8));
        Cached(dir.Path, 'b', 10, TimeSpan.FromDays(6));
        var result = ImageCacheTrimmer.Trim(dir.Path, maxBytes: 0, ttl: TimeSpan.FromDays(7), Now);
        Assert.That(Names(dir.Path), Is.EqualTo(new[] { new string('b', 40) }));
        Assert.That(result.Removed.Single().Why, Does.Contain("unused for 8 days"));
    }

    [Test]
    public void No_limit_and_no_ttl_removes_nothing_and_only_day_old_partial_downloads_are_swept()
    {
        using var dir = new TempDirectory("bifrost-cache");
        Cached(dir.Path, 'a', 10, TimeSpan.FromDays(400));
        var orphan = Path.Combine(dir.Path, new string('e', 40) + ".0123.part");
        var running = Path.Combine(dir.Path, new string('f', 40) + ".4567.part");
        File.WriteAllBytes(orphan, new byte[5]);
        File.SetLastWriteTimeUtc(orphan, Now - TimeSpan.FromDays(2));
        File.WriteAllBytes(running, new byte[5]);
        File.SetLastWriteTimeUtc(running, Now - TimeSpan.FromMinutes(1));
        Directory.CreateDirectory(Path.Combine(dir.Path, "meta"));

        var result = ImageCacheTrimmer.Trim(dir.Path, maxBytes: 0, ttl: TimeSpan.Zero, Now);

        Assert.That(result.Removed.Select(r => r.Name), Is.EqualTo(new[] { Path.GetFileName(orphan) }));
        Assert.That(File.Exists(running) && Directory.Exists(Path.Combine(dir.Path, "meta")), Is.True);
    }

    [Test]
    public void A_removed_image_loses_its_sidecar_and_touching_an_image_keeps_its_remembered_digests_valid()
    {
        using var dir = new TempDirectory("bifrost-cache");
        var old = Cached(dir.Path, 'a', 10, TimeSpan.FromDays(9));
        var kept = Cached(dir.Path, 'b', 10, TimeSpan.FromDays(1));
        foreach (var path in new[] { old, kept })
        {
            var info = new FileInfo(path);
            ImageCache.Write(dir.Path, path, new ImageFacts { Size = info.Length, MtimeTicks = info.LastWriteTimeUtc.Ticks });
        }

        ImageCacheTrimmer.Touch(kept, Now);
        ImageCacheTrimmer.Trim(dir.Path, maxBytes: 0, ttl: TimeSpan.FromDays(7), Now);

        Assert.That(ImageCache.Read(dir.Path, kept), Is.Not.Null, "setting the access time left size and mtime as remembered");
        Assert.That(new FileInfo(kept).LastAccessTimeUtc, Is.EqualTo(Now));
        Assert.That(Directory.GetFiles(Path.Combine(dir.Path, "meta")), Has.Length.EqualTo(1), "the removed image's sidecar went with it");
    }

    [Test]
    public async Task Downloading_a_new_image_evicts_the_least_recently_used_one_once_it_is_an_hour_old()
    {
        using var web = new TempDirectory("bifrost-web");
        using var images = new TempDirectory("bifrost-images");
        var one = RandomNumberGenerator.GetBytes(600_000);
        var two = RandomNumberGenerator.GetBytes(600_000);
        File.WriteAllBytes(Path.Combine(web.Path, "one.img"), one);
        File.WriteAllBytes(Path.Combine(web.Path, "two.img"), two);
        using var server = new PythonHttpServer(web.Path);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var service = new ImageService(
            new ImageOptions { ImagesDir = images.Path, CacheMaxBytes = 1_000_000, RetryBackoff = TimeSpan.FromMilliseconds(10) },
            clock, NullLogger<ImageService>.Instance);
        string Sha(byte[] b) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(b));

        var first = await service.PrepareAsync(ImageServiceTests.Node(server.Url("one.img").ToString(), Sha(one)), CancellationToken.None);
        Assert.That(first.Path, Does.StartWith("/images/.cache/"));
        var firstFile = Path.Combine(images.Path, first.Path["/images/".Length..]);
        clock.Advance(TimeSpan.FromMinutes(10));
        await service.PrepareAsync(ImageServiceTests.Node(server.Url("two.img").ToString(), Sha(two)), CancellationToken.None);
        Assert.That(File.Exists(firstFile), Is.True, "10 minutes after its deploy prepared it, the first image is protected");

        clock.Advance(TimeSpan.FromHours(2));
        await service.PrepareAsync(ImageServiceTests.Node(server.Url("two.img").ToString(), Sha(two)), CancellationToken.None);
        Assert.That(File.Exists(firstFile), Is.False, "two hours later the least recently used image made room");
        var again = await service.PrepareAsync(ImageServiceTests.Node(server.Url("one.img").ToString(), Sha(one)), CancellationToken.None);
        Assert.That(again.Path, Is.EqualTo(first.Path));
        Assert.That(File.ReadAllBytes(firstFile), Is.EqualTo(one), "and is downloaded again when a deploy needs it");
    }
}
