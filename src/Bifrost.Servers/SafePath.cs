namespace Bifrost.Servers;

/// <summary>
/// Maps a client-supplied relative path to a file inside a root directory, or refuses. The check is done on the real
/// path (every symlink on the way resolved, as realpath(3) does), so <c>..</c>, absolute paths and symlinks that lead
/// out of the root are all refused the same way; symlinks that stay inside are followed.
/// </summary>
public static class SafePath
{
    private const int MaxLinks = 40; // Linux's MAXSYMLINKS

    /// <summary>The real path of an existing regular file under <paramref name="root"/>, or null.</summary>
    /// <param name="realRoot">The root's real path when the caller already knows it (saves a walk per request).</param>
    public static string? ResolveFile(string root, string relative, string? realRoot = null)
    {
        if (relative.Length == 0 || relative.Contains('\0') || relative.Contains('\\')) return null;
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or "..")) return null;
        realRoot ??= RealPath(root);
        if (realRoot is null) return null;
        var real = RealPath(Path.Combine(realRoot, string.Join('/', parts)), realRoot);
        if (real is null || !IsUnder(realRoot, real)) return null;
        return File.Exists(real) ? real : null;
    }

    public static bool IsUnder(string root, string path) =>
        path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>
    /// realpath(3) in managed code: the path with every symlink resolved (relative targets from the link's directory),
    /// components that do not exist kept as they are; null when more than 40 links are followed (a loop).
    /// </summary>
    /// <param name="realPrefix">A directory already known to be a real path: when <paramref name="path"/> lies under
    /// it, the walk starts there instead of at <c>/</c> (one readlink fewer per component of the prefix).</param>
    public static string? RealPath(string path, string? realPrefix = null)
    {
        var pending = Path.GetFullPath(path);
        for (var links = 0; links <= MaxLinks; links++)
        {
            var current = "/";
            var walk = pending;
            if (realPrefix is not null && realPrefix.Length > 1 && IsUnder(realPrefix, pending))
            {
                current = realPrefix.TrimEnd('/');
                walk = pending[(current.Length + 1)..];
            }
            var parts = walk.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var resolved = true;
            for (var i = 0; i < parts.Length; i++)
            {
                var next = Path.Combine(current, parts[i]);
                string? link;
                try
                {
                    link = new FileInfo(next).LinkTarget;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Missing, not a directory, or unreadable: not a link. The path is kept as it is, and the caller's
                    // existence check or open then fails cleanly.
                    link = null;
                }
                if (link is null)
                {
                    current = next;
                    continue;
                }
                // Everything up to 'current' is real, so a relative link resolves against it lexically.
                var target = Path.IsPathRooted(link) ? link : Path.Combine(current, link);
                var rest = string.Join('/', parts[(i + 1)..]);
                pending = Path.GetFullPath(rest.Length == 0 ? target : Path.Combine(target, rest));
                resolved = false;
                break;
            }
            if (resolved) return current;
        }
        return null;
    }
}
