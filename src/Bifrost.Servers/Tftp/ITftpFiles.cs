using Bifrost.Protocols.Tftp;

namespace Bifrost.Servers.Tftp;

/// <summary>A file a client may read: its real path (symlinks resolved) and its length when looked up.</summary>
public sealed record TftpFile(string Path, long Length);

/// <summary>The answer of a lookup: a file, or the TFTP error to send.</summary>
public sealed record TftpLookup(TftpFile? File, TftpErrorCode Error = TftpErrorCode.NotDefined, string Message = "")
{
    public static TftpLookup Found(TftpFile file) => new(file);
    public static TftpLookup Refused(TftpErrorCode code, string message) => new(null, code, message);
}

/// <summary>The files the TFTP server serves (the backend of <see cref="TftpResponder"/>).</summary>
public interface ITftpFiles
{
    TftpLookup Find(string requestedName);
}
