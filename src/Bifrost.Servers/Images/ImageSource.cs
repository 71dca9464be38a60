using System.Text.Json.Nodes;

namespace Bifrost.Servers.Images;

/// <summary>
/// <c>instance_info.image_source</c>: an http(s) URL Bifrost downloads and caches, or the name of a file under
/// StateDir/images (a relative path without <c>..</c>). Names whose segments start with a dot are Bifrost's own
/// (<c>.cache</c>, <c>.raw</c>) and refused. <c>file://</c> is refused: Bifrost serves only its own directory.
/// Pure: the file's existence is checked when the image is prepared.
/// </summary>
public sealed record ImageSource
{
    public Uri? Url { get; private init; }
    public string? FileName { get; private init; }

    public bool IsRemote => Url is not null;

    /// <summary>What to call the source in messages and logs: a URL without credentials or query (signed URLs carry
    /// secrets there).</summary>
    public string Display => Url is { } u ? Redact(u) : FileName!;

    public static bool TryRead(JsonObject instanceInfo, out ImageSource source, out string? error)
    {
        source = null!;
        var raw = ImageChecksum.Text(instanceInfo, "image_source");
        if (raw is null)
        {
            error = "instance_info.image_source is required";
            return false;
        }
        raw = raw.Trim();
        if (raw.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            error = $"instance_info.image_source '{raw}': file:// sources are not supported, Bifrost serves only its own image directory: copy the image into StateDir/images and give its file name";
            return false;
        }
        if (raw.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                error = $"instance_info.image_source '{(Uri.TryCreate(raw, UriKind.Absolute, out var u) ? Redact(u) : "?")}' is not an http(s) URL";
                return false;
            }
            source = new ImageSource { Url = uri };
            error = null;
            return true;
        }
        var parts = raw.Split('/');
        if (raw.StartsWith('/') || raw.Contains('\\') || raw.Contains('\0')
            || parts.Any(p => p.Length == 0 || p.StartsWith('.') || p.Any(char.IsControl)))
        {
            error = $"instance_info.image_source '{raw}' is neither an http(s) URL nor a file name under StateDir/images (relative, no '..', no hidden names)";
            return false;
        }
        source = new ImageSource { FileName = raw };
        error = null;
        return true;
    }

    public static string Redact(Uri uri)
    {
        var b = new UriBuilder(uri) { UserName = "", Password = "", Query = "", Fragment = "" };
        var text = b.Uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        return uri.Query.Length > 1 ? text + "?…" : text;
    }
}
