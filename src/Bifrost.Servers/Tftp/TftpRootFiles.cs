using Bifrost.Protocols.Tftp;

namespace Bifrost.Servers.Tftp;

/// <summary>
/// Files under one root directory (<c>StateDir/tftp</c>), and nothing outside it. A name is refused when it is absolute,
/// contains a <c>..</c> segment, or resolves — after following every symlink in every component, as realpath(3)
/// does — to a path outside the root's own real path. Backslashes count as separators (Windows-style PXE clients).
/// What remains is a time-of-check/time-of-use gap: someone who can create symlinks inside the root between the lookup
/// and the open could swap one in. Only the operator can write there.
/// </summary>
public sealed class TftpRootFiles(string root) : ITftpFiles
{
    /// <summary>Linux's limit on symlinks followed in one lookup (MAXSYMLINKS), so a loop ends.</summary>
    private const int MaxLinks = 40;

    public string Root { get; } = Path.GetFullPath(root);

    public TftpLookup Find(string requestedName)
    {
        var name = requestedName.Replace('\\', '/');
        if (name.StartsWith('/'))
            return TftpLookup.Refused(TftpErrorCode.AccessViolation, "absolute paths are refused: ask for a path relative to the TFTP root");
        if (name.Contains('\0', StringComparison.Ordinal))
            return TftpLookup.Refused(TftpErrorCode.AccessViolation, "NUL in file name");
        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Contains(".."))
            return TftpLookup.Refused(TftpErrorCode.AccessViolation, "'..' in a file name is refused");
        if (segments.All(s => s == "."))
            return TftpLookup.Refused(TftpErrorCode.FileNotFound, "no file name");

        if (RealPath(Root) is not { } realRoot || !Directory.Exists(realRoot))
            return TftpLookup.Refused(TftpErrorCode.FileNotFound, "file not found (no TFTP root)");
        var real = RealPath(Path.Join(realRoot, string.Join('/', segments)));
        if (real is null)
            return TftpLookup.Refused(TftpErrorCode.AccessViolation, "too many symbolic links");
        if (!IsUnder(real, realRoot))
            return TftpLookup.Refused(TftpErrorCode.AccessViolation, "the path leads outside the TFTP root");
        var info = new FileInfo(real);
        if (!info.Exists)
            return TftpLookup.Refused(TftpErrorCode.FileNotFound, Directory.Exists(real) ? "is a directory, not a file" : "file not found");
        return TftpLookup.Found(new TftpFile(real, info.Length));
    }

    private static bool IsUnder(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    /// <summary>
    /// realpath(3) in managed code: walk the components from '/', replacing each symlink by its target (relative
    /// targets from the link's directory) and continuing with the rest. Components that do not exist are kept as they
    /// are (the caller then finds no file). Null when more than <see cref="MaxLinks"/> links are followed.
    /// </summary>
    internal static string? RealPath(string absolutePath)
    {
        var pending = new List<string>(absolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = "/";
        var links = 0;
        var i = 0;
        while (i < pending.Count)
        {
            var segment = pending[i++];
            if (segment == ".") continue;
            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Join(current, segment);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                target = null; // not a link, or a component that is not a directory: the open will fail cleanly
            }
            catch (UnauthorizedAccessException)
            {
                target = null;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) return null;
            pending = [.. target.Split('/', StringSplitOptions.RemoveEmptyEntries), .. pending.Skip(i)];
            i = 0;
            if (target.StartsWith('/')) current = "/";
        }
        return current;
    }
}
