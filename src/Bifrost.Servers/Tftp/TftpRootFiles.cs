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

        if (SafePath.RealPath(Root) is not { } realRoot || !Directory.Exists(realRoot))
            return TftpLookup.Refused(TftpErrorCode.FileNotFound, "file not found (no TFTP root)");
        var real = SafePath.RealPath(Path.Join(realRoot, string.Join('/', segments)), realRoot);
        if (real is null)
            return TftpLookup.Refused(TftpErrorCode.AccessViolation, "too many symbolic links");
        if (real != realRoot && !SafePath.IsUnder(realRoot, real))
            return TftpLookup.Refused(TftpErrorCode.AccessViolation, "the path leads outside the TFTP root");
        var info = new FileInfo(real);
        if (!info.Exists)
            return TftpLookup.Refused(TftpErrorCode.FileNotFound, Directory.Exists(real) ? "is a directory, not a file" : "file not found");
        return TftpLookup.Found(new TftpFile(real, info.Length));
    }
}
