using System.Collections.Concurrent;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Images;
using Bifrost.Domain.Nodes;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Images;

/// <summary>
/// Prepares <c>instance_info.image_source</c> for a deploy: a file under StateDir/images is hashed (once per size and
/// mtime, remembered in a sidecar), a URL is downloaded into StateDir/images/.cache (reused while its checksum still
/// matches), the checksum is verified, and the result is exposed on the HTTP boot server: raw, gzip and zstd files
/// as they are, a qcow2 image as its raw view under <c>/images/.raw/</c> with the sha256 of that view.
/// </summary>
public sealed class ImageService : IImageService, IDisposable
{
    public const string RawViewPrefix = "/images/.raw/";

    private readonly ImageOptions _options;
    private readonly ILogger _log;
    private readonly HttpClient _http;
    private readonly ImageDownloader _downloader;
    private readonly TimeProvider _time;
    /// <summary>One preparation per file or URL at a time: two deploys of one image share a download.</summary>
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public ImageService(ImageOptions options, TimeProvider time, ILogger<ImageService> log)
    {
        _options = options;
        _log = log;
        _time = time;
        // No automatic decompression: a .gz image must arrive as the bytes its checksum was made of.
        _http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan, // the downloader's stall timer decides
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("bifrost-images/1");
        _downloader = new ImageDownloader(_http, options, time, log);
    }

    public ValidationResult Validate(Node node)
    {
        if (!ImageSource.TryRead(node.InstanceInfo, out var source, out var error)) return ValidationResult.Fail(error!);
        if (!ImageChecksum.TryRead(node.InstanceInfo, out var checksum, out error)) return ValidationResult.Fail(error!);
        if (source.IsRemote && checksum is null)
            return ValidationResult.Fail($"instance_info.image_checksum (or image_os_hash_algo + image_os_hash_value) is required for image_source {source.Display}");
        return ValidationResult.Ok;
    }

    public async Task<PreparedImage> PrepareAsync(Node node, CancellationToken ct)
    {
        var validation = Validate(node);
        if (!validation.Result) throw new ImageException(validation.Reason!);
        ImageSource.TryRead(node.InstanceInfo, out var source, out _);
        ImageChecksum.TryRead(node.InstanceInfo, out var checksum, out _);
        try
        {
            var prepared = await PrepareAsync(source, checksum, ct);
            Log.Prepared(_log, prepared.Description, prepared.Path);
            return prepared;
        }
        catch (ImageException e)
        {
            ImageMetrics.Count("failed");
            Log.Failed(_log, source.Display, e.Message);
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The image directory itself (full disk, permissions): still the deploy's error, said as one.
            ImageMetrics.Count("failed");
            Log.Failed(_log, source.Display, e.Message);
            throw new ImageException($"Image {source.Display} could not be prepared in {_options.ImagesDir}: {e.Message}", e);
        }
    }

    private async Task<PreparedImage> PrepareAsync(ImageSource source, ImageChecksum? checksum, CancellationToken ct)
    {
        var realRoot = SafePath.RealPath(_options.ImagesDir);
        if (realRoot is null || !Directory.Exists(realRoot))
        {
            Directory.CreateDirectory(_options.ImagesDir);
            realRoot = SafePath.RealPath(_options.ImagesDir) ?? throw new ImageException($"Image directory {_options.ImagesDir} is not usable");
        }
        var key = source.Url?.AbsoluteUri ?? source.FileName!;
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            string real;
            string how;
            ImageFacts facts;
            if (source.Url is { } url)
            {
                (real, facts, how) = await FetchAsync(url, source.Display, checksum!, realRoot, ct);
            }
            else
            {
                real = SafePath.ResolveFile(realRoot, source.FileName!, realRoot)
                       ?? throw new ImageException($"Image {source.Display} not found in {_options.ImagesDir} (or not a regular file inside it)");
                facts = await FactsAsync(real, checksum?.Algorithm, ct);
                if (checksum is not null) Verify(source, checksum, facts);
                how = checksum is null ? "sha256 computed (no checksum given)" : $"{checksum.Algorithm} verified";
                ImageMetrics.Count("local");
            }
            return await ExposeAsync(source, real, realRoot, facts, how, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The cached copy when it still matches, else a fresh verified download.</summary>
    private async Task<(string Real, ImageFacts Facts, string How)> FetchAsync(Uri url, string display, ImageChecksum checksum, string realRoot, CancellationToken ct)
    {
        var cacheDir = Path.Combine(realRoot, ImageCache.DirName);
        Directory.CreateDirectory(cacheDir);
        var cached = Path.Combine(cacheDir, ImageCache.NameFor(url));
        if (File.Exists(cached))
        {
            ImageCacheTrimmer.Touch(cached, _time.GetUtcNow().UtcDateTime);
            var known = await FactsAsync(cached, checksum.Algorithm, ct);
            if (known.Hashes.GetValueOrDefault(checksum.Algorithm) == checksum.Hex)
            {
                Log.CacheHit(_log, display);
                ImageMetrics.Count("cached");
                TrimCache(cacheDir);
                return (cached, known, $"{checksum.Algorithm} verified, cached");
            }
            File.Delete(cached); // stale: the image behind the URL changed, or the copy was damaged
        }

        Log.Downloading(_log, display);
        var part = Path.Combine(cacheDir, $"{ImageCache.NameFor(url)}.{Guid.NewGuid():N}.part");
        try
        {
            var hashes = await _downloader.DownloadAsync(url, display, part, [checksum.Algorithm, "sha256"], ct);
            var actual = hashes[checksum.Algorithm];
            if (actual != checksum.Hex) throw Mismatch(display, checksum, actual);
            File.Move(part, cached, overwrite: true);
            var info = new FileInfo(cached);
            var facts = new ImageFacts { Size = info.Length, MtimeTicks = info.LastWriteTimeUtc.Ticks, Hashes = hashes };
            ImageCache.Write(cacheDir, cached, facts);
            ImageCacheTrimmer.Touch(cached, _time.GetUtcNow().UtcDateTime);
            Log.Downloaded(_log, display, info.Length, checksum.Algorithm);
            ImageMetrics.Count("downloaded");
            TrimCache(cacheDir);
            return (cached, facts, $"{checksum.Algorithm} verified, downloaded");
        }
        finally
        {
            if (File.Exists(part)) File.Delete(part);
        }
    }

    /// <summary>Keeps the download cache within its size and TTL; never fails a deploy.</summary>
    private void TrimCache(string cacheDir)
    {
        try
        {
            var result = ImageCacheTrimmer.Trim(cacheDir, _options.CacheMaxBytes, _options.CacheTtl, _time.GetUtcNow().UtcDateTime);
            foreach (var (name, bytes, why) in result.Removed) Log.Evicted(_log, name, bytes, why);
            if (_options.CacheMaxBytes > 0 && result.BytesLeft > _options.CacheMaxBytes)
                Log.OverLimit(_log, result.BytesLeft, result.FilesLeft, _options.CacheMaxBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Failed(_log, "cache", $"trimming {cacheDir} failed: {e.Message}");
        }
    }

    /// <summary>The file's remembered digests when its size and mtime still match, else a fresh hash (sha256 plus the
    /// algorithm the deploy asks for), remembered for next time.</summary>
    private async Task<ImageFacts> FactsAsync(string real, string? algorithm, CancellationToken ct)
    {
        var cacheDir = _options.CacheDir;
        var known = ImageCache.Read(cacheDir, real);
        if (known is not null && known.Hashes.ContainsKey("sha256") && (algorithm is null || known.Hashes.ContainsKey(algorithm)))
            return known;
        var info = new FileInfo(real);
        var wanted = new List<string> { "sha256" };
        if (algorithm is not null) wanted.Add(algorithm);
        if (known is not null) wanted.AddRange(known.Hashes.Keys);
        var hashes = await MultiHash.FileAsync(real, wanted, ct);
        var facts = (known ?? new ImageFacts { Size = info.Length, MtimeTicks = info.LastWriteTimeUtc.Ticks }) with { Hashes = hashes };
        // Only remember when the file did not change while we read it.
        info.Refresh();
        if (info.Length == facts.Size && info.LastWriteTimeUtc.Ticks == facts.MtimeTicks) ImageCache.Write(cacheDir, real, facts);
        return facts;
    }

    private static void Verify(ImageSource source, ImageChecksum checksum, ImageFacts facts)
    {
        var actual = facts.Hashes[checksum.Algorithm];
        if (actual != checksum.Hex) throw Mismatch(source.Display, checksum, actual);
    }

    private static ImageException Mismatch(string display, ImageChecksum checksum, string actual) =>
        new($"Image checksum mismatch for {display}: expected {checksum.Algorithm} {checksum.Hex}, got {actual}");

    private async Task<PreparedImage> ExposeAsync(ImageSource source, string real, string realRoot, ImageFacts facts, string how, CancellationToken ct)
    {
        var relative = Path.GetRelativePath(realRoot, real);
        var urlPath = string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));
        var name = source.Url is { } u ? (u.Segments.LastOrDefault() is { Length: > 1 } last ? Uri.UnescapeDataString(last.TrimEnd('/')) : u.Host) : source.FileName!;
        var head = new byte[ImageFormats.MagicLength];
        int got;
        await using (var f = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            got = await f.ReadAsync(head, ct);
        var format = ImageFormats.Detect(head.AsSpan(0, got));

        if (format == ImageFileFormat.Qcow2)
        {
            if (facts.RawViewSha256 is null || facts.RawViewSize is null)
            {
                using var view = Qcow2RawView.Open(real, source.Display);
                using var hash = new MultiHash(["sha256"]);
                await view.CopyToAsync(hash, ct);
                facts = facts with { RawViewSha256 = hash.Finish()["sha256"], RawViewSize = view.Length };
                var info = new FileInfo(real);
                if (info.Length == facts.Size && info.LastWriteTimeUtc.Ticks == facts.MtimeTicks) ImageCache.Write(_options.CacheDir, real, facts);
            }
            return new PreparedImage
            {
                Path = RawViewPrefix + urlPath,
                Format = ImageStreamFormat.Raw,
                HashAlgorithm = "sha256",
                HashValue = facts.RawViewSha256,
                Size = facts.RawViewSize.Value,
                DiskSize = facts.RawViewSize.Value,
                Description = $"{name}: qcow2 → raw view, {Bytes(facts.RawViewSize.Value)}, {how}",
            };
        }

        return new PreparedImage
        {
            Path = "/images/" + urlPath,
            Format = format switch
            {
                ImageFileFormat.Gzip => ImageStreamFormat.Gzip,
                ImageFileFormat.Zstd => ImageStreamFormat.Zstd,
                _ => ImageStreamFormat.Raw,
            },
            HashAlgorithm = "sha256",
            HashValue = facts.Hashes["sha256"],
            Size = facts.Size,
            DiskSize = format == ImageFileFormat.Raw ? facts.Size : null,
            Description = $"{name}: {format.ToString().ToLowerInvariant()}, {Bytes(facts.Size)}, {how}",
        };
    }

    internal static string Bytes(long n) => n switch
    {
        >= 1L << 30 => $"{n / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{n / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{n / (double)(1L << 10):0.#} KiB",
        _ => $"{n} bytes",
    };

    public void Dispose() => _http.Dispose();
}
