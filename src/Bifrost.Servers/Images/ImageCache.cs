using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bifrost.Servers.Images;

/// <summary>
/// Files Bifrost keeps under StateDir/images/.cache: downloaded images (named by a hash of their URL, so they are
/// served as <c>/images/.cache/&lt;hex&gt;</c>), <c>meta/</c> sidecars remembering each image's digests keyed by its
/// size and mtime (a 1 GiB image is hashed once, not per deploy), and <c>*.part</c> downloads in progress. Only the
/// finished downloads are servable.
/// </summary>
public static class ImageCache
{
    public const string DirName = ".cache";
    private const string MetaDir = "meta";

    /// <summary>Cache file name for a URL: 40 hex digits of its sha256.</summary>
    public static string NameFor(Uri url) => Hex(url.AbsoluteUri)[..40];

    /// <summary>True for a finished download's name (40 lower-case hex digits), the only cache files we serve.</summary>
    public static bool IsCacheFileName(string name) =>
        name.Length == 40 && name.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>The remembered facts of <paramref name="realPath"/> if its size and mtime still match, else null.</summary>
    public static ImageFacts? Read(string cacheDir, string realPath)
    {
        try
        {
            var info = new FileInfo(realPath);
            var json = File.ReadAllText(MetaPath(cacheDir, realPath));
            var facts = JsonSerializer.Deserialize(json, ImageFactsJson.Default.ImageFacts);
            return facts is not null && facts.Size == info.Length && facts.MtimeTicks == info.LastWriteTimeUtc.Ticks ? facts : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null; // no sidecar yet, or a damaged one: hash again
        }
    }

    /// <summary>Remembers <paramref name="facts"/> (temp file + rename: a crash never leaves a half-written sidecar).</summary>
    public static void Write(string cacheDir, string realPath, ImageFacts facts)
    {
        var path = MetaPath(cacheDir, realPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(facts, ImageFactsJson.Default.ImageFacts));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Drops the remembered facts of a removed file.</summary>
    public static void Forget(string cacheDir, string realPath)
    {
        try
        {
            File.Delete(MetaPath(cacheDir, realPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string MetaPath(string cacheDir, string realPath) =>
        Path.Combine(cacheDir, MetaDir, Hex(realPath)[..40] + ".json");

    private static string Hex(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));
}

/// <summary>What Bifrost knows about one image file at one (size, mtime).</summary>
public sealed record ImageFacts
{
    public required long Size { get; init; }
    public required long MtimeTicks { get; init; }
    /// <summary>Lower-case hex digests of the file by algorithm (sha256 always; md5/sha512 when a deploy asked).</summary>
    public Dictionary<string, string> Hashes { get; init; } = new(StringComparer.Ordinal);
    /// <summary>qcow2 only: sha256 of the raw view and its length (the virtual size).</summary>
    public string? RawViewSha256 { get; init; }
    public long? RawViewSize { get; init; }
}

[JsonSerializable(typeof(ImageFacts))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class ImageFactsJson : JsonSerializerContext;
